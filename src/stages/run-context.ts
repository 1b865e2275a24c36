import { abortErrorOf, type AbortReason } from "../errors.js";
import { redact } from "../log/redact.js";
import type { RunOptions } from "../options.js";
import type { SolverExit } from "../process/index.js";
import type { RunResultValue } from "../results/results-csv.js";
import type { RunEvent } from "../run-events.js";
import type { WorkPaths } from "../work-paths.js";
import type { PlatformSession } from "./platform-session.js";
import type { FileStamp } from "../fs/file-stamp.js";

export interface OutputFile {
  /** Path relative to outputs/, with "/" separators. */
  path: string;
  size: number;
}

/** What the stages learn about the run as it goes; run-solver turns it into the RunResult. */
export interface RunState {
  progress: number;
  label: string;
  /** A failed step or an error word in state.txt: the run ends "error" even if the solver exits 0. */
  stepFailed: boolean;
  errorLabel?: string;
  solver?: SolverExit;
  /**
   * outputs/results.csv as it was just before the execute stage started the solver in this start
   * (null: there was none); undefined when the solver was not started here.
   */
  resultsBeforeSolver?: FileStamp | null;
  /** outputs/result.zip the same way: one the solver writes itself (no downloadable spec) is sent as Result.zip. */
  resultZipBeforeSolver?: FileStamp | null;
  /** Post-processing made outputs/result.zip, or took the solver's own, in this start. */
  resultZip?: boolean;
  results: RunResultValue[];
  outputs: OutputFile[];
  /** Lines the runner itself appended to state.txt, so the watcher does not read them as the solver's. */
  runnerStateLines: Set<string>;
  /**
   * When the flush time applies (after an abort, a signal or a solver failure): the time (Date.now())
   * by which what is left to send must have gone, the run report and the final status included.
   */
  flushDeadline?: number;
  /** A run that had not failed could not send its final status (its only failure: see RunResult.sendsFailedOnly). */
  finalStatusUnsent?: boolean;
}

/** Everything a stage needs comes in through this: no module-level state. */
export interface RunContext {
  options: RunOptions;
  /** The platform's run node id once init has created it, or a generated one for a native run. */
  runId: string;
  /** The platform connection of a run with a host; undefined natively. */
  platform?: PlatformSession;
  paths: WorkPaths;
  state: RunState;
  /** Aborted by "abort" in config.json, the caller's AbortSignal, a signal to the runner, or --timeout. */
  signal: AbortSignal;
  emit(event: RunEvent): void;
  warn(message: string): void;
  /** Throws the AbortError of the run when it has been aborted. */
  throwIfAborted(): void;
  /** Aborts the run from inside (socket.io's run:abort). */
  abort(reason: AbortReason): void;
}

export function createRunContext(
  options: RunOptions,
  runId: string,
  paths: WorkPaths,
  runAbort: { signal: AbortSignal; abort(reason: AbortReason): void },
  onEvent: ((event: RunEvent) => void) | undefined,
): RunContext {
  const { signal } = runAbort;
  const emit = (event: RunEvent) => {
    if (!onEvent) return;
    try {
      onEvent(redactEvent(event, options.secrets));
    } catch {
      // A caller's broken callback must not break the run.
    }
  };
  return {
    options,
    runId,
    paths,
    signal,
    state: { progress: 0, label: "", stepFailed: false, results: [], outputs: [], runnerStateLines: new Set() },
    emit,
    warn: (message) => emit({ type: "warning", message }),
    throwIfAborted() {
      if (signal.aborted) throw abortErrorOf(signal);
    },
    abort: (reason) => runAbort.abort(reason),
  };
}

function redactEvent(event: RunEvent, secrets: readonly string[]): RunEvent {
  if (secrets.length === 0) return event;
  switch (event.type) {
    case "log":
      return { ...event, line: redact(event.line, secrets) };
    case "warning":
    case "info":
      return { ...event, message: redact(event.message, secrets) };
    case "progress":
      return { ...event, label: redact(event.label, secrets) };
    case "upload":
      return event;
    case "stage": {
      const { error, note } = event.stage;
      return {
        ...event,
        stage: { ...event.stage, ...(error !== undefined ? { error: redact(error, secrets) } : {}), ...(note !== undefined ? { note: redact(note, secrets) } : {}) },
      };
    }
  }
}
