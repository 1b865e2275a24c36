/**
 * The local platform's records and the seams between its parts (database, execution, HTTP routes,
 * live dashboard). One type each; the database and the HTTP edge validate into them.
 */
import type { ParamValue } from "../sweep/spec-types.js";

export type JobStatus = "queued" | "running" | "finished" | "error" | "cancelled";

export const JOB_STATUSES: readonly JobStatus[] = ["queued", "running", "finished", "error", "cancelled"];

/** Statuses a job does not leave. */
export const ENDED_STATUSES: readonly JobStatus[] = ["finished", "error", "cancelled"];

export interface Job {
  /** A UUID. */
  id: string;
  /** The id of the user who submitted it. */
  owner: string;
  /** The solver type's name (a folder registered with --solvers). */
  solver: string;
  /** The sweep the job is a point of, or null for a single job. */
  sweepId: string | null;
  /** Parameters given to the solver (`--name=value`, PHYSICSWORKS_PARAMS, inputs/parameters.json). */
  parameters: Record<string, ParamValue>;
  /** config.json fields laid over the solver type's default config (timeout, env, ...). */
  config: Record<string, unknown>;
  status: JobStatus;
  /** 0..100 */
  progress: number;
  statusLabel: string | null;
  /** The run node the runner created on this server (protocol.md), once it exists. */
  runId: string | null;
  /** Why it ended in error ("interrupted" when the server stopped under it). */
  error: string | null;
  /** The runner's exit code (errors.ts table) once ended. */
  exitCode: number | null;
  /** ISO times. */
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

/** What a change of a job may set. */
export type JobPatch = Partial<Pick<Job, "status" | "progress" | "statusLabel" | "runId" | "error" | "exitCode" | "startedAt" | "endedAt">>;

export interface User {
  id: string;
  /** Unique, the login name. */
  name: string;
  /** "scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>" */
  passwordHash: string;
  /** Scopes put in the user's JWT: "jobs", plus "admin" for an admin. */
  scopes: string[];
  createdAt: string;
}

export interface Report {
  id: string;
  owner: string;
  jobId: string | null;
  sweepId: string | null;
  /** The HTML file, absolute, under the data folder. */
  file: string;
  createdAt: string;
}

export interface JobQuery {
  /** Only this owner's jobs; undefined: every owner's (admin). */
  owner?: string;
  status?: JobStatus;
  sweepId?: string;
  /** 1..200, default 20. */
  limit: number;
  /** ≥ 0, default 0. Jobs are listed newest first. */
  offset: number;
}

export interface JobStats {
  total: number;
  counts: Record<JobStatus, number>;
  /** Mean of endedAt − startedAt over ended jobs that started, null when there are none. */
  meanDurationMs: number | null;
}

/** The database (SQLite through better-sqlite3): synchronous, one process. */
export interface PlatformDb {
  insertJob(job: Job): void;
  getJob(id: string): Job | undefined;
  /** Sets the given fields; returns the job as it now is, undefined when there is no such job. */
  updateJob(id: string, patch: JobPatch): Job | undefined;
  listJobs(query: JobQuery): { jobs: Job[]; total: number };
  jobByRunId(runId: string): Job | undefined;
  jobsWithStatus(statuses: readonly JobStatus[]): Job[];
  stats(owner?: string): JobStats;
  insertUser(user: User): void;
  userByName(name: string): User | undefined;
  userById(id: string): User | undefined;
  countUsers(): number;
  insertReport(report: Report): void;
  getReport(id: string): Report | undefined;
  /** A trivial query: the health check. */
  ping(): void;
  close(): void;
}

/** A job's change as the live side (socket.io dashboard, SSE streams) hears it. */
export type JobListener = (job: Job) => void;

/** Where job changes are announced: the executor and the run-update hook announce; SSE and socket.io listen. */
export interface JobEvents {
  emit(job: Job): void;
  /** Returns the function that stops listening. */
  on(listener: JobListener): () => void;
}
