import { stat } from "node:fs/promises";
import { execa } from "execa";
import { SolverError } from "../errors.js";
import { killProcessGroup } from "./kill-process-group.js";
import { LogFiles } from "./log-files.js";
import { OutputPump } from "./output-pump.js";
import { isProcessGroupAlive } from "./process-group-alive.js";
import { removeSolverGroupRecord, writeSolverGroupRecord } from "./solver-group-record.js";
import { spawnError } from "./spawn-error.js";

export interface SolverProcessOptions {
  /** [exe, ...args], from resolveSolverCommand + the solver's arguments. */
  argv: string[];
  cwd: string;
  /** The whole environment the solver gets; nothing of the runner's own is added. */
  env: Record<string, string | undefined>;
  /** Every line of stdout and stderr, in arrival order, is appended to each of these (created if missing). */
  logFiles: string[];
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Aborting ends the solver's whole process group: SIGTERM, `graceMs`, SIGKILL. */
  signal?: AbortSignal;
  graceMs: number;
  /** How many last lines to keep for the error summary (default 20). */
  tailLines?: number;
  /** Redacted (***) from every line before it reaches the logs, the tail or onLine. */
  secrets?: readonly string[];
  /** How often to look whether the process group is gone (default 50 ms). */
  pollMs?: number;
  /** Once the group is gone, how long a pipe another process still holds may stay silent before it is given up (default 2000 ms). */
  outputIdleMs?: number;
  /** A log file that fails mid-run is dropped (the run goes on); this hears about it. */
  onLogError?: (error: Error, path: string) => void;
  /**
   * The solver's process group is recorded in this file while it runs (solver-group-record.ts) and
   * the file removed once the group is gone: a runner killed with SIGKILL cannot end the group, the
   * next one finds it there (stopRecordedGroup).
   */
  groupRecord?: string;
}

export interface SolverExit {
  /** null when the solver died of a signal. */
  exitCode: number | null;
  /** The signal it died of, e.g. "SIGTERM". */
  signal: string | null;
  /** true when `signal` was aborted before the solver exited (also when it was never started). */
  aborted: boolean;
  /** From the start to the solver's exit. */
  durationMs: number;
  /** The solver's pid, which is also its process group id; 0 when it was never started. */
  pid: number;
  /** The last `tailLines` lines of output (stdout and stderr together). */
  lastLines: string[];
}

const DEFAULT_TAIL_LINES = 20;
const DEFAULT_POLL_MS = 50;
const DEFAULT_OUTPUT_IDLE_MS = 2000;

/**
 * Runs the solver as the leader of its own process group and resolves once it
 * has exited, nothing of its group is left, and all of its output is in the log
 * files. It rejects only when the solver cannot be started (a `SolverError`) or
 * on options that are not valid (a `TypeError`).
 */
export async function runSolverProcess(options: SolverProcessOptions): Promise<SolverExit> {
  const { argv, cwd, env, signal, graceMs } = options;
  const tailLines = options.tailLines ?? DEFAULT_TAIL_LINES;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const outputIdleMs = options.outputIdleMs ?? DEFAULT_OUTPUT_IDLE_MS;
  checkOptions(argv, graceMs, tailLines, pollMs, outputIdleMs);
  const [file, ...args] = argv as [string, ...string[]];

  if (signal?.aborted) return notStarted();
  await assertFolder(cwd);
  const logs = await LogFiles.open(options.logFiles, options.onLogError);
  if (signal?.aborted) {
    await logs.close();
    return notStarted();
  }

  const startedAt = performance.now();
  let subprocess;
  try {
    subprocess = execa(file, args, {
      cwd,
      env,
      extendEnv: false,
      // Its own process group, so that one signal reaches everything it starts.
      detached: true,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      buffer: false,
      encoding: "buffer",
      reject: false,
    });
  } catch (error) {
    // execa checks arguments before spawning (a NUL byte in argv, say) and throws a TypeError.
    await logs.close();
    throw error;
  }
  const pid = subprocess.pid;
  if (pid === undefined) {
    const result = await subprocess;
    await logs.close();
    throw spawnError(argv, result.cause ?? result);
  }

  // execa's `cleanup` skips detached subprocesses (and would reach only the leader), so
  // the runner's own exit takes the group down here. It must be synchronous: no grace.
  const killOnRunnerExit = (): void => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  process.on("exit", killOnRunnerExit);

  const pump = new OutputPump({
    streams: [
      { name: "stdout", stream: subprocess.stdout },
      { name: "stderr", stream: subprocess.stderr },
    ],
    logs,
    onLine: options.onLine,
    tailLines,
    ...(options.secrets ? { secrets: options.secrets } : {}),
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    subprocess.once("exit", (code, exitSignal) => resolve([code, exitSignal]));
  });
  // With reject: false it settles with the result, which we take from 'exit' instead.
  subprocess.then(
    () => undefined,
    () => undefined,
  );

  let ending: Promise<void> | undefined;
  const endGroup = (): Promise<void> =>
    (ending ??= killProcessGroup(pid, { graceMs, pollMs }).catch(() => {
      // Only EPERM gets here: a member we may not signal, which no retry would change.
    }));
  let hasExited = false;
  let aborted = false;
  const onAbort = (): void => {
    if (hasExited) return;
    aborted = true;
    void endGroup();
  };
  signal?.addEventListener("abort", onAbort, { once: true });

  try {
    if (options.groupRecord) {
      await writeSolverGroupRecord(options.groupRecord, pid).catch(() => {
        // Only a runner killed with SIGKILL leaves its group for the next to end: no reason to fail the run.
      });
    }
    const [exitCode, exitSignal] = await exited;
    hasExited = true;
    const durationMs = performance.now() - startedAt;
    // What the solver left running in its group is an orphan of this run.
    await endGroup();
    // Kept while the group may live on (a member this runner may not signal): the next runner tries again.
    if (options.groupRecord && !(await isProcessGroupAlive(pid))) await removeSolverGroupRecord(options.groupRecord).catch(() => undefined);
    await pump.finish(outputIdleMs);
    await logs.close();
    return { exitCode, signal: exitSignal, aborted, durationMs, pid, lastLines: pump.lastLines };
  } finally {
    signal?.removeEventListener("abort", onAbort);
    process.off("exit", killOnRunnerExit);
  }
}

function notStarted(): SolverExit {
  return { exitCode: null, signal: null, aborted: true, durationMs: 0, pid: 0, lastLines: [] };
}

function checkOptions(argv: string[], graceMs: number, tailLines: number, pollMs: number, outputIdleMs: number): void {
  if (!Array.isArray(argv) || argv.length === 0 || argv.some((word) => typeof word !== "string") || argv[0] === "") {
    throw new TypeError(`runSolverProcess: "argv" must be [program, ...arguments] (got ${JSON.stringify(argv)})`);
  }
  for (const [name, value] of [
    ["graceMs", graceMs],
    ["pollMs", pollMs],
    ["outputIdleMs", outputIdleMs],
  ] as const) {
    if (!Number.isFinite(value) || value < 0 || (name !== "graceMs" && value === 0)) {
      throw new TypeError(`runSolverProcess: "${name}" must be a number of milliseconds (got ${String(value)})`);
    }
  }
  if (!Number.isInteger(tailLines) || tailLines < 0) {
    throw new TypeError(`runSolverProcess: "tailLines" must be a whole number, 0 or more (got ${String(tailLines)})`);
  }
}

/** Checked here because a missing cwd makes spawn fail with ENOENT, which would blame the program. */
async function assertFolder(cwd: string): Promise<void> {
  let isFolder = false;
  try {
    isFolder = (await stat(cwd)).isDirectory();
  } catch (error) {
    throw new SolverError(`the solver's working folder does not exist: ${cwd}`, { cause: error });
  }
  if (!isFolder) throw new SolverError(`the solver's working folder is not a folder: ${cwd}`);
}
