/**
 * What the local platform's parts are given: the seams between the database (db/), the execution
 * (exec/), the HTTP routes (routes/, reports/) and the dashboard (dashboard/). start-platform.ts
 * makes one PlatformDeps and hands it to each.
 */
import type { RunNode } from "../platform/types.js";
import type { RunningServer } from "../server/index.js";
import type { ParamValue } from "../sweep/spec-types.js";
import type { Job, JobEvents, PlatformDb } from "./platform-types.js";

/** `POST /api/v1/jobs`: one job, or with `sweep` a group of jobs, one per point. */
export interface JobRequest {
  solver: string;
  parameters?: Record<string, ParamValue>;
  config?: Record<string, unknown>;
  /** Parameters as a sweep spec writes them (`{alpha: [1, 2], n: {from: 1, to: 3, steps: 3}}`), combined by product (default) or zip. */
  sweep?: { parameters: Record<string, unknown>; combine?: "product" | "zip" };
}

export interface SolverType {
  name: string;
  /** The folder registered for it: config.json, scripts/, inputs/. */
  dir: string;
  /** Its config.json, as read. */
  config: Record<string, unknown>;
  /** From its config.json's "description" or its README's first line, else "". */
  description: string;
}

/** Runs jobs: in-process (a pool of --concurrency) or through the NATS work queue (--nats). */
export interface JobService {
  /** Validates (a ConfigError or HttpError 400 naming the field), records the jobs as queued, starts them when there is room. */
  submit(owner: string, request: JobRequest): Promise<{ sweepId: string | null; jobs: Job[] }>;
  /** Aborts a queued or running job (the solver gets SIGTERM, then SIGKILL after grace); ends "cancelled". An ended job is returned as it is. */
  cancel(jobId: string): Promise<Job>;
  /** The run-update hook: a run node the server stored (progress, status) moves its job. */
  runUpdated(runId: string, node: RunNode, simulation: string): void;
  /** After the server listens: recovery of what a previous server left (running → error "interrupted", queued → started again). */
  start(server: RunningServer): Promise<void>;
  /** Cancels nothing: waits for running in-process jobs only when asked to drain; marks them on the next start otherwise. */
  stop(): Promise<void>;
}

export interface PlatformSettings {
  /** Absolute. platform.db, jobs/<id>/ work folders, reports/, and the protocol server's store. */
  dataDir: string;
  solvers: Map<string, SolverType>;
  /** In-process jobs at once (default 2). */
  concurrency: number;
  /** When set, jobs go to the NATS work queue instead of the in-process pool. */
  natsUrl?: string;
  /** Pre-signed report URLs live this long (default 15 min). */
  urlTtlMs: number;
  /** Signs user JWTs, runner JWTs and (HMAC) pre-signed URLs. */
  jwtSecret: string;
  /** Grace between SIGTERM and SIGKILL when a job is cancelled (default 5 s). */
  graceMs: number;
}

export interface PlatformDeps {
  settings: PlatformSettings;
  db: PlatformDb;
  events: JobEvents;
  jobs: JobService;
  /** The protocol server under the platform; set once it listens (routes only read it while answering). */
  server: { current?: RunningServer };
}
