/**
 * The local platform behind `physicsworks-solve serve --solvers DIR`, as a library: users, jobs run
 * by the runner, live status, results and reports on one machine.
 */
export { startPlatform, type RunningPlatform } from "./start-platform.js";
export { PLATFORM_DEFAULTS, type PlatformOptions } from "./platform-options.js";
export { loadSolvers } from "./solvers/load-solvers.js";
export type { JobRequest, JobService, PlatformDeps, PlatformSettings, SolverType } from "./platform-deps.js";
export { ENDED_STATUSES, JOB_STATUSES } from "./platform-types.js";
export type { Job, JobPatch, JobQuery, JobStats, JobStatus, Report, User } from "./platform-types.js";
