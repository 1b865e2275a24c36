import { FlushTimeError } from "../errors.js";
import type { StageRecord } from "../run-events.js";
import type { RunContext } from "./run-context.js";
import type { Stage, StageControl } from "./stage.js";
import type { StageName } from "./stage-names.js";

export interface StagePlan {
  startingStage?: StageName;
  skipStages: readonly StageName[];
}

export interface EngineOutcome {
  records: StageRecord[];
  /**
   * The first error a stage threw, if any: it decides the run's status and exit code. A later
   * FlushTimeError adds its message to it.
   */
  error?: unknown;
}

interface Background {
  release: () => void;
  done: Promise<void>;
}

/**
 * Runs the stages in order. A background stage (watch) starts, the next stage runs beside it,
 * and when that one ends the background stage is released to do its final pass and is awaited.
 */
export async function runStages(ctx: RunContext, stages: readonly Stage[], plan: StagePlan): Promise<EngineOutcome> {
  const records: StageRecord[] = stages.map((s) => ({ name: s.name, status: "pending" }));
  let startIndex = plan.startingStage ? stages.findIndex((s) => s.name === plan.startingStage) : 0;
  // A background stage runs beside the stage after it: starting there starts it too (watch with execute).
  while (startIndex > 0 && stages[startIndex - 1]?.background) startIndex--;
  let firstError: unknown;
  const fail = (error: unknown) => {
    // What the flush time left unsent must be told whatever failed first (the solver, an abort).
    if (firstError !== undefined && error instanceof FlushTimeError) firstError = error.appendTo(firstError);
    firstError ??= error;
  };
  let background: Background | undefined;

  for (const [index, stage] of stages.entries()) {
    const record = records[index] as StageRecord;
    const skipNote =
      index < startIndex
        ? `before --startingStage=${plan.startingStage}`
        : plan.skipStages.includes(stage.name)
          ? "--skipStages"
          : firstError !== undefined && !stage.always
            ? "after an earlier failure"
            : undefined;
    if (skipNote) {
      record.status = "skipped";
      record.note = skipNote;
      ctx.emit({ type: "stage", stage: { ...record } });
    } else if (stage.background) {
      let release!: () => void;
      const foregroundDone = new Promise<void>((r) => (release = r));
      background = { release, done: runOne(ctx, stage, record, { foregroundDone }).catch(fail) };
      continue;
    } else {
      await runOne(ctx, stage, record, { foregroundDone: Promise.resolve() }).catch(fail);
    }
    if (background) {
      background.release();
      await background.done;
      background = undefined;
    }
  }
  if (background) {
    background.release();
    await background.done;
  }
  return firstError === undefined ? { records } : { records, error: firstError };
}

async function runOne(ctx: RunContext, stage: Stage, record: StageRecord, control: StageControl): Promise<void> {
  const started = performance.now();
  record.status = "running";
  record.startedAt = new Date().toISOString();
  ctx.emit({ type: "stage", stage: { ...record } });
  try {
    const note = await stage.run(ctx, control);
    record.status = "finished";
    if (note) record.note = note;
  } catch (error) {
    record.status = "failed";
    record.error = error instanceof Error ? error.message : String(error);
    throw error;
  } finally {
    record.durationMs = Math.round(performance.now() - started);
    ctx.emit({ type: "stage", stage: { ...record } });
  }
}
