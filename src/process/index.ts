export { resolveSolverCommand } from "./resolve-command.js";
export { runSolverProcess, type SolverExit, type SolverProcessOptions } from "./spawn-solver.js";
export { killProcessGroup, type KillProcessGroupOptions } from "./kill-process-group.js";
export { isProcessGroupAlive } from "./process-group-alive.js";
export { LineSplitter, DEFAULT_MAX_LINE_BYTES, type LineSplitterOptions } from "./line-splitter.js";
export { stopRecordedGroup, type StoppedGroup, type StopRecordedGroupOptions } from "./stop-recorded-group.js";
export type { SolverGroupRecord } from "./solver-group-record.js";
