import { randomUUID } from "node:crypto";
import { writeRunJson } from "./run-json.js";
import { createRunAbort } from "./control/run-abort.js";
import { abortErrorOf, ExitCode, exitCodeOf, FlushTimeError, PhysicsWorksError, PlatformError, SolverError } from "./errors.js";
import { redactAll } from "./log/redact.js";
import { RunnerLog } from "./log/runner-log.js";
import { resolveRunOptions, type OptionNaming, type RunOptions, type RunSolverOptions } from "./options.js";
import type { RunResult } from "./run-result.js";
import { ALL_STAGES } from "./stages/all-stages.js";
import { runStages, type EngineOutcome } from "./stages/engine.js";
import { startNatsEvents, type NatsEvents } from "./stages/nats-events.js";
import { stopLeftSolver } from "./stages/left-solver.js";
import { writePhaseLine } from "./stages/phase-line.js";
import { connectPlatform } from "./stages/connect-platform.js";
import type { PlatformSession } from "./stages/platform-session.js";
import { createRunContext, type RunContext } from "./stages/run-context.js";
import { writeAndSendReport } from "./stages/run-report.js";
import { beforeFlushDeadline } from "./stages/flush-deadline.js";
import { createWorkFolders, workPaths, type WorkPaths } from "./work-paths.js";
import { takeWorkDirLock, type WorkDirLock } from "./work-lock/work-dir-lock.js";

/**
 * Runs one solver run: options → context → stages → result.
 * Bad options throw a ConfigError or UsageError, a work directory another runner holds a
 * WorkDirBusyError, before any work starts; once the run has begun,
 * every outcome (solver failure, abort) is a RunResult, never a throw. Never exits the process.
 */
export async function runSolver(input: RunSolverOptions): Promise<RunResult> {
  return runSolverNamed(input, "fields");
}

/** runSolver, its option errors naming the options as `naming` says (the CLI: its flags). */
export async function runSolverNamed(input: RunSolverOptions, naming: OptionNaming): Promise<RunResult> {
  const { options, warnings } = await resolveRunOptions(input, "run", naming);
  const paths = workPaths(options.workDir);
  // The layout is a precondition of every stage, also when --startingStage skips init. Making the
  // folders that are missing changes nothing a runner already there has written.
  await createWorkFolders(paths);
  // Two runners in one work directory would mix their outputs and send the run twice: a second
  // one is refused here, before it writes anything (WorkDirBusyError, exit 2).
  const lock = await takeWorkDirLock(paths.workDir, { command: "run" });
  try {
    // Before any stage, also with --startingStage: a solver a killed runner left would write on beside this run.
    const left = await stopLeftSolver(paths, options.graceMs);
    return await runInWorkDir(input, options, left ? [...warnings, left] : warnings, paths, lock);
  } finally {
    await lock.release();
  }
}

async function runInWorkDir(input: RunSolverOptions, options: RunOptions, warnings: string[], paths: WorkPaths, lock: WorkDirLock): Promise<RunResult> {
  const runId = randomUUID();
  const log = new RunnerLog(paths.runnerLog, options.secrets);
  const abort = createRunAbort({
    ...(input.signal ? { signal: input.signal } : {}),
    ...(options.configPath ? { configPath: options.configPath } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    pollIntervalMs: options.pollIntervalMs,
    onConfigProblem: (message) => ctx.warn(message),
  });
  const allWarnings: string[] = [];
  let onEventFailed = false;
  // NATS events carry the run's id, which a platform gives only in init: they start once init is over.
  let events: Promise<NatsEvents> | undefined;
  const startEvents = () => (events ??= startNatsEvents(options, ctx.runId, (m) => ctx.warn(m)));
  const ctx = createRunContext(options, runId, paths, abort, (event) => {
    log.event(event);
    if (event.type === "stage" && event.stage.name === "init" && event.stage.status !== "running") void startEvents();
    if (event.type === "progress") void events?.then((e) => e.progress(event.progress, event.label));
    if (event.type === "warning") allWarnings.push(event.message);
    try {
      input.onEvent?.(event);
    } catch (error) {
      // The caller's broken callback must not break the run; it is told once, in runner.log.
      if (!onEventFailed) log.line(`warning: the onEvent callback threw (${error instanceof Error ? error.message : String(error)}) on a "${event.type}" event; the run goes on, later throws are not logged`);
      onEventFailed = true;
    }
  });
  log.line(`run ${runId} in ${paths.workDir}${options.configPath ? ` (config ${options.configPath})` : ""}`);
  if (lock.tookOver) ctx.emit({ type: "info", message: lock.tookOver });
  lock.onLost((m) => ctx.warn(m));
  warnings.forEach((w) => ctx.warn(w));

  // The run's abort sources (the caller's signal, "abort" in config.json, --timeout) stay on until
  // the final status has gone: a signal while it is sent bounds it (flush-deadline.ts).
  try {
    return await stagesAndEnd({ ctx, options, paths, log, startEvents, allWarnings });
  } finally {
    abort.dispose();
  }
}

interface RunParts {
  ctx: RunContext;
  options: RunOptions;
  paths: WorkPaths;
  log: RunnerLog;
  startEvents: () => Promise<NatsEvents>;
  /** Every warning the run gave, for the result. */
  allWarnings: string[];
}

/** The stages, then the run's end: debug/run.json, the report, the final status, the NATS events. */
async function stagesAndEnd({ ctx, options, paths, log, startEvents, allWarnings }: RunParts): Promise<RunResult> {
  const startedAt = new Date();
  const started = performance.now();
  let outcome = await openPlatformWhenInitSkipped(ctx, options);
  if (outcome.error === undefined) outcome = await runStages(ctx, ALL_STAGES, options);
  let error = outcome.error;
  if (error === undefined && ctx.state.stepFailed) {
    error = new SolverError(`the solver exited 0 but reported an error in state.txt: ${ctx.state.errorLabel ?? ""}`);
  }
  if (error === undefined) await markFinished(ctx);
  const outcomeOf = (): Outcome => ({
    startedAt,
    durationMs: Math.round(performance.now() - started),
    stages: outcome.records,
    error,
    warnings: allWarnings,
  });
  // debug/run.json is on disk before the report and the final status go: a runner killed while they
  // are sent (SLURM's SIGKILL after the lead time) leaves a run that `sync` can finish.
  const ended = buildResult(ctx, options, outcomeOf());
  await writeRunJson(paths.runJson, ended);
  // The report shows the run as it ended; it is written (and sent) before the final status, which closes the run.
  const report = await writeAndSendReport(ctx, ended, (path) => writeRunJson(paths.runJson, { ...ended, report: path }));
  if (ctx.platform) error = await reportFinal(ctx, ctx.platform, error);

  const result = buildResult(ctx, options, outcomeOf());
  if (report) result.report = report;
  await writeRunJson(paths.runJson, result);
  await (await startEvents()).finish(result);
  log.line(`run ${result.status} (exit ${result.exitCode})${result.error ? `: ${result.error.message}` : ""}`);
  await log.close();
  return result;
}

/**
 * init opens the platform session; when --startingStage or --skipStages leave init out, the run
 * still reports to its platform (resuming the run node a killed runner left), so open it here.
 */
async function openPlatformWhenInitSkipped(ctx: RunContext, options: RunOptions): Promise<EngineOutcome> {
  const initSkipped = options.skipStages.includes("init") || (options.startingStage !== undefined && options.startingStage !== "init");
  if (!initSkipped) return { records: [] };
  try {
    await connectPlatform(ctx);
    const earlier = ctx.platform?.supersedes;
    if (earlier) {
      // Without init the run would otherwise make its new run node without a word (init's note says it).
      ctx.warn(`the run node ${earlier} of debug/platform-run.json had ended (its final status went): this start reports to a new run node, ${ctx.runId}`);
    }
    return { records: [] };
  } catch (error) {
    const records = ALL_STAGES.map((s) => ({ name: s.name, status: "skipped" as const, note: "the platform session could not be opened" }));
    return { records, error };
  }
}

/** The final status's least time after the flush time's deadline has passed. */
const FINAL_STATUS_LEAST_MS = 5000;

/**
 * The final status on the platform: `finished` 100, or `error` with the reason. When even that
 * cannot be sent, the run's outcome is a platform error (exit 3) unless it had failed already.
 */
async function reportFinal(ctx: RunContext, session: PlatformSession, error: unknown): Promise<unknown> {
  const label = error === undefined ? "finished" : error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error);
  try {
    // After an abort, a signal or a solver failure it keeps to the flush time (the node may soon be
    // taken away), given a few seconds at least; unsent, it is `sync`'s to send.
    const late = await beforeFlushDeadline(ctx, () => session.reporter.finish(error === undefined ? "finished" : "error", label), FINAL_STATUS_LEAST_MS);
    if (late !== undefined) {
      throw new PlatformError(`not sent within the flush time (given ${Math.round(late / 100) / 10}s); \`physicsworks-solve sync\` sends it later`);
    }
    await session.markFinalSent();
  } catch (sendError) {
    ctx.warn(`the final status could not be sent to the platform: ${(sendError as Error).message}`);
    // The run's work went well; only its final status did not go (sendsFailedOnly: sync sends it,
    // finished). Cut short by a signal, the run still exits with the signal's code.
    if (error === undefined) {
      ctx.state.finalStatusUnsent = true;
      const abort = ctx.signal.aborted ? abortErrorOf(ctx.signal) : undefined;
      error =
        abort?.reason === "SIGINT" || abort?.reason === "SIGTERM"
          ? new PlatformError((sendError as Error).message, { cause: sendError, exitCode: abort.exitCode })
          : sendError;
    }
  } finally {
    await session.close();
  }
  return error;
}

async function markFinished(ctx: RunContext): Promise<void> {
  try {
    await writePhaseLine(ctx, "postprocessing", 100, "finished");
  } catch {
    // outputs/ may be missing when the stages that create it were skipped; the result still says finished.
    ctx.state.progress = 100;
  }
}

interface Outcome {
  startedAt: Date;
  durationMs: number;
  stages: RunResult["stages"];
  error: unknown;
  warnings: string[];
}

function buildResult(ctx: RunContext, options: RunOptions, outcome: Outcome): RunResult {
  const { state } = ctx;
  const result: RunResult = {
    status: outcome.error === undefined ? "finished" : "error",
    exitCode: outcome.error === undefined ? ExitCode.ok : exitCodeOf(outcome.error),
    runId: ctx.runId,
    workDir: options.workDir,
    startedAt: outcome.startedAt.toISOString(),
    durationMs: outcome.durationMs,
    progress: state.progress,
    label: state.label,
    stages: outcome.stages,
    results: state.results,
    outputs: state.outputs,
    warnings: outcome.warnings,
  };
  if (state.resultZip !== undefined) result.resultZip = state.resultZip;
  if (outcome.error !== undefined) {
    const e = outcome.error;
    result.error = {
      code: e instanceof PhysicsWorksError ? e.code : "internal",
      message: e instanceof Error ? e.message : String(e),
    };
  }
  if (state.solver) {
    const { exitCode, signal, durationMs, lastLines } = state.solver;
    result.solver = { exitCode, signal, durationMs, lastLines };
  }
  // The solver and post-processing went well, sending did not: once `sync` has sent the rest, the run finished.
  // An abort that cut only the final status short (the rest had gone) leaves the run's work done too.
  // A flush time that ran out is the run's error only when nothing failed before it: a signal that
  // came after the solver's end cut the sends short, and nothing else (an abort during the solver
  // is the run's error, with the flush time's lines after it).
  const sendsCut = outcome.error instanceof FlushTimeError;
  const notAborted = !ctx.signal.aborted || state.finalStatusUnsent === true || sendsCut;
  const sendsFailed = outcome.error instanceof PlatformError || sendsCut;
  if (sendsFailed && state.solver?.exitCode === 0 && !state.stepFailed && notAborted) result.sendsFailedOnly = true;
  // Every field, not only the messages: a stage's error or note, the label, a result's value may
  // quote a secret, and the result is printed (--json), written (run.json, report.html) and published.
  return redactAll(result, options.secrets);
}
