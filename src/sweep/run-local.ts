import type { RunSolverOptions } from "../options.js";
import type { RunResult } from "../run-result.js";
import { runSolver } from "../run-solver.js";
import { readPointState, type PointState } from "./point-status.js";
import { prepareRun } from "./prepare-run.js";
import type { SweepPoint, SweepSpec } from "./spec-types.js";
import { sweepPaths } from "./sweep-paths.js";
import { checkWorkDirFree } from "../work-lock/work-dir-lock.js";

/** What a local sweep reports as it goes; the command draws its lines and bar from these. */
export type SweepEvent =
  | { type: "skip"; point: SweepPoint }
  | { type: "start"; point: SweepPoint }
  | { type: "progress"; point: SweepPoint; progress: number; label: string }
  | { type: "end"; point: SweepPoint; state: PointState };

export interface LocalSweepOptions {
  spec: SweepSpec;
  points: SweepPoint[];
  /** Points run at once (each is one runner and its solver). */
  concurrency: number;
  /** Aborting it stops every running point's process group and starts no more. */
  signal?: AbortSignal;
  onEvent?: (event: SweepEvent) => void;
  /** Handed to each runSolver (tests shorten the poll interval; --timeout and --grace come through here). */
  runOptions?: Pick<RunSolverOptions, "pollIntervalMs" | "grace" | "timeout" | "env" | "tuning" | "watchPolling">;
}

export interface LocalSweepOutcome {
  /** Every point, in index order: finished earlier (skipped), run now, or pending when the sweep was aborted first. */
  states: PointState[];
  ran: number[];
  skipped: number[];
  aborted: boolean;
}

/**
 * Runs the points in a bounded pool, in-process. A point whose debug/run.json says finished is
 * skipped (resume); a failed point is recorded and the others go on.
 */
export async function runSweepLocal(options: LocalSweepOptions): Promise<LocalSweepOutcome> {
  const { spec, points, signal } = options;
  const emit = options.onEvent ?? (() => {});
  const states = new Map<number, PointState>();
  const ran: number[] = [];
  const skipped: number[] = [];
  const running = new Set<AbortController>();
  const onAbort = () => {
    for (const c of running) c.abort(signal?.reason);
  };
  signal?.addEventListener("abort", onAbort, { once: true });

  let next = 0;
  const worker = async () => {
    for (;;) {
      if (signal?.aborted) return;
      const point = points[next++];
      if (!point) return;
      const before = await readPointState(spec, point);
      if (before.status === "finished") {
        states.set(point.index, before);
        skipped.push(point.index);
        emit({ type: "skip", point });
        continue;
      }
      const controller = new AbortController();
      running.add(controller);
      ran.push(point.index);
      emit({ type: "start", point });
      const state = await runPoint(spec, point, controller.signal, options, (progress, label) => emit({ type: "progress", point, progress, label }));
      running.delete(controller);
      states.set(point.index, state);
      emit({ type: "end", point, state });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, points.length)) }, worker));
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  const all = await Promise.all(points.map(async (p) => states.get(p.index) ?? (await readPointState(spec, p))));
  return { states: all, ran, skipped, aborted: Boolean(signal?.aborted) };
}

async function runPoint(
  spec: SweepSpec,
  point: SweepPoint,
  signal: AbortSignal,
  options: LocalSweepOptions,
  onProgress: (progress: number, label: string) => void,
): Promise<PointState> {
  let result: RunResult;
  try {
    // A point another runner is running (a second `sweep run`, a SLURM task) is left as it is: not laid out again.
    await checkWorkDirFree(sweepPaths(spec).run(point));
    const configPath = await prepareRun(spec, point);
    result = await runSolver({
      ...options.runOptions,
      configPath,
      signal,
      onEvent: (event) => {
        if (event.type === "progress") onProgress(event.progress, event.label);
      },
    });
  } catch (error) {
    // A bad config, an unwritable folder or one in use: the runner never started, so there is no run.json.
    const message = error instanceof Error ? error.message : String(error);
    return { point, status: "error", error: message };
  }
  return { point, status: result.status, result, ...(result.error ? { error: result.error.message } : {}) };
}
