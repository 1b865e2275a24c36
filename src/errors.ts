/**
 * Every error a user can cause is one of these, and each carries the exit code
 * the CLI ends with. The table of exit codes lives here and nowhere else.
 */
export const ExitCode = {
  ok: 0,
  solverFailed: 1,
  usage: 2,
  platform: 3,
  sigint: 130,
  sigterm: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class PhysicsWorksError extends Error {
  readonly exitCode: ExitCodeValue;
  /** A stable machine-readable name, e.g. "config", "solver", "archive". */
  readonly code: string;

  constructor(code: string, message: string, exitCode: ExitCodeValue, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A bad config file, a bad flag value, a bad environment variable. */
export class ConfigError extends PhysicsWorksError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("config", message, ExitCode.usage, options);
  }
}

/** A command line that cannot be run as given (unknown stage, missing argument). */
export class UsageError extends PhysicsWorksError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("usage", message, ExitCode.usage, options);
  }
}

/** The solver could not start, exited non-zero, or reported an error in state.txt. */
export class SolverError extends PhysicsWorksError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("solver", message, ExitCode.solverFailed, options);
  }
}

/** An archive that is malformed, hostile (paths leaving the target) or too large. */
export class ArchiveError extends PhysicsWorksError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("archive", message, ExitCode.usage, options);
  }
}

/** The platform answered with an error, or could not be reached. */
export class PlatformError extends PhysicsWorksError {
  readonly status: number | undefined;
  /** `exitCode`: a signal's (130/143) when a signal cut the sending short; else 3. */
  constructor(message: string, options?: { cause?: unknown; status?: number; exitCode?: ExitCodeValue }) {
    super("platform", message, options?.exitCode ?? ExitCode.platform, options);
    this.status = options?.status;
  }
}

/**
 * Another runner (a run, or a sync) holds the work directory's lock, debug/runner.lock. Nothing
 * was written: the same command succeeds once that runner is done.
 */
export class WorkDirBusyError extends PhysicsWorksError {
  readonly workDir: string;
  readonly lockPath: string;
  constructor(message: string, where: { workDir: string; lockPath: string }) {
    super("work-dir-busy", message, ExitCode.usage);
    this.workDir = where.workDir;
    this.lockPath = where.lockPath;
  }
}

export type AbortReason = "user" | "timeout" | "SIGINT" | "SIGTERM";

/** The run was stopped from outside: "abort" in config.json, an AbortSignal, a signal, --timeout. */
export class AbortError extends PhysicsWorksError {
  readonly reason: AbortReason;
  constructor(reason: AbortReason, message: string) {
    super("aborted", message, abortExitCode(reason));
    this.reason = reason;
  }
}

/**
 * After an abort, a signal or a solver failure, the flush time ran out before everything pending
 * reached the platform (protocol.md part 1). The run has failed already in most cases: then this
 * is a note added to that error (`appendTo`), which keeps deciding the run's label and exit code.
 */
export class FlushTimeError extends PhysicsWorksError {
  /** `exitCode`: a platform error's, or the signal's (130/143) when a signal bounded the sends of a run that had not failed. */
  constructor(message: string, exitCode: ExitCodeValue = ExitCode.platform) {
    super("flush-time", message, exitCode);
  }

  /** The earlier error with this message on the lines after its own: its kind, code and exit code stay. */
  appendTo(earlier: unknown): Error {
    const message = `${earlier instanceof Error ? earlier.message : String(earlier)}\n${this.message}`;
    if (earlier instanceof AbortError) return new AbortError(earlier.reason, message);
    if (earlier instanceof PhysicsWorksError) return new PhysicsWorksError(earlier.code, message, earlier.exitCode, { cause: earlier });
    return new Error(message, { cause: earlier });
  }
}

function abortExitCode(reason: AbortReason): ExitCodeValue {
  if (reason === "SIGINT") return ExitCode.sigint;
  if (reason === "SIGTERM") return ExitCode.sigterm;
  // A user abort or a timeout is a run that did not finish: the solver's work failed.
  return ExitCode.solverFailed;
}

/** `timeLimit`: the limit a timeout ran into, as it is shown (e.g. "2m00s"). */
export function abortMessage(reason: AbortReason, timeLimit?: string): string {
  switch (reason) {
    case "user":
      return "Aborted by user";
    case "timeout":
      return `Aborted: the run exceeded its time limit${timeLimit ? ` of ${timeLimit}` : ""} (--timeout, or "timeout" in the config)`;
    case "SIGINT":
      return "Aborted: the runner received SIGINT";
    case "SIGTERM":
      return "Aborted: the runner received SIGTERM";
  }
}

/** The exit code for anything thrown: typed errors carry theirs, anything else is a bug (1). */
export function exitCodeOf(error: unknown): ExitCodeValue {
  return error instanceof PhysicsWorksError ? error.exitCode : ExitCode.solverFailed;
}

/** The AbortError an aborted signal stands for: its own reason when that is one (the run's aborts carry one), else a user abort. */
export function abortErrorOf(signal: AbortSignal): AbortError {
  return signal.reason instanceof AbortError ? signal.reason : new AbortError("user", abortMessage("user"));
}
