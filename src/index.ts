export { runSolver } from "./run-solver.js";
export { syncRun, type SyncResult } from "./sync-run.js";
export type { RunResult } from "./run-result.js";
export type { RunSolverOptions, RunOptions } from "./options.js";
export { resolveRunOptions } from "./options.js";
export type { RunEvent, StageRecord, StageStatus } from "./run-events.js";
export { STAGE_NAMES, type StageName } from "./stages/stage-names.js";
export type { OutputFile } from "./stages/run-context.js";
export type { RunResultValue, ResultType } from "./results/results-csv.js";
export {
  PhysicsWorksError,
  ConfigError,
  UsageError,
  SolverError,
  ArchiveError,
  PlatformError,
  AbortError,
  FlushTimeError,
  WorkDirBusyError,
  ExitCode,
  exitCodeOf,
} from "./errors.js";
export { parseStateLine } from "./progress/state-line.js";
export { parseResultsCsv } from "./results/results-csv.js";
export { extractArchive } from "./archive/index.js";
