import { randomUUID } from "node:crypto";
import type { RunNode } from "../../platform/types.js";
import type { RunningServer } from "../../server/index.js";
import type { JobRequest, JobService, PlatformSettings } from "../platform-deps.js";
import { ENDED_STATUSES, type Job, type JobEvents, type JobPatch, type PlatformDb } from "../platform-types.js";
import { checkJobRequest } from "./job-request.js";
import { JobPool } from "./job-pool.js";
import { jobDir, prepareJob } from "./job-work-dir.js";
import { killLeftoverSolvers } from "./leftover-solvers.js";
import { NatsDispatch } from "./nats-dispatch.js";
import { CANCELLED, INTERRUPTED, runJob } from "./run-job.js";
import { patchFromRunNode } from "./run-node-patch.js";

/**
 * Runs the platform's jobs with the runner: in this process through a pool of
 * `settings.concurrency`, or, with `settings.natsUrl`, through the NATS work queue that
 * `physicsworks-solve worker` reads. Every change of a job is stored and announced on `events`.
 */
export function createJobService(settings: PlatformSettings, db: PlatformDb, events: JobEvents): JobService {
  return new LocalJobService(settings, db, events);
}

class LocalJobService implements JobService {
  private server: RunningServer | undefined;
  private nats: NatsDispatch | undefined;
  private readonly pool: JobPool;

  constructor(
    private readonly settings: PlatformSettings,
    private readonly db: PlatformDb,
    private readonly events: JobEvents,
  ) {
    this.pool = new JobPool(settings.concurrency, (jobId, signal) =>
      runJob({ settings, db, server: this.requireServer(), change: (id, patch) => this.change(id, patch) }, jobId, signal),
    );
  }

  async start(server: RunningServer): Promise<void> {
    this.server = server;
    if (this.settings.natsUrl) {
      this.nats = await NatsDispatch.connect(this.settings.natsUrl);
      return; // Queued and running jobs are the workers' (JetStream keeps the queue); nothing to recover here.
    }
    const endedAt = new Date().toISOString();
    const interrupted = this.db.jobsWithStatus(["running"]);
    for (const job of interrupted) {
      this.change(job.id, { status: "error", error: INTERRUPTED, statusLabel: "interrupted: the server stopped", endedAt });
    }
    await killLeftoverSolvers(interrupted.map((job) => jobDir(this.settings, job.id)));
    for (const job of this.db.jobsWithStatus(["queued"]).sort((a, b) => a.createdAt.localeCompare(b.createdAt))) this.pool.enqueue(job.id);
  }

  async stop(): Promise<void> {
    await this.pool.abortAll(INTERRUPTED);
    await this.nats?.close();
    this.nats = undefined;
  }

  async submit(owner: string, request: JobRequest): Promise<{ sweepId: string | null; jobs: Job[] }> {
    const checked = checkJobRequest(request, this.settings.solvers);
    const sweepId = checked.isSweep ? randomUUID() : null;
    const createdAt = new Date().toISOString();
    const jobs = checked.points.map((parameters): Job => ({
      id: randomUUID(),
      owner,
      solver: checked.solver.name,
      sweepId,
      parameters,
      config: checked.config,
      status: "queued",
      progress: 0,
      statusLabel: null,
      runId: null,
      error: null,
      exitCode: null,
      createdAt,
      startedAt: null,
      endedAt: null,
    }));
    for (const job of jobs) {
      this.db.insertJob(job);
      this.events.emit(job);
    }
    for (const job of jobs) await this.dispatch(job);
    return { sweepId, jobs: jobs.map((job) => this.db.getJob(job.id) ?? job) };
  }

  async cancel(jobId: string): Promise<Job> {
    const job = this.db.getJob(jobId);
    if (!job) throw new Error(`no job "${jobId}"`);
    if (ENDED_STATUSES.includes(job.status)) return job;
    const cancelled: JobPatch = { status: "cancelled", statusLabel: "cancelled", endedAt: new Date().toISOString() };
    if (this.nats) {
      // The worker's runner hears run:abort on socket.io; one not started yet is stopped when its run appears.
      if (job.runId) this.server?.abortRun(job.runId);
      return this.change(jobId, cancelled) ?? job;
    }
    if (this.pool.dequeue(jobId)) return this.change(jobId, cancelled) ?? job;
    await this.pool.abort(jobId, CANCELLED);
    return this.db.getJob(jobId) ?? job;
  }

  runUpdated(runId: string, node: RunNode, simulation: string): void {
    const job = this.db.getJob(simulation) ?? this.db.jobByRunId(runId);
    if (!job) return;
    if (ENDED_STATUSES.includes(job.status)) {
      // A NATS job cancelled before its worker took it: its run is stopped as soon as it shows.
      if (job.status === "cancelled" && node.status !== "finished" && node.status !== "error") this.server?.abortRun(runId);
      return;
    }
    const patch = patchFromRunNode(job, runId, node, { finalFromNode: this.nats !== undefined });
    if (patch) this.change(job.id, patch);
  }

  private async dispatch(job: Job): Promise<void> {
    if (!this.nats) {
      this.pool.enqueue(job.id);
      return;
    }
    try {
      await this.nats.submit(job.id, await prepareJob(this.settings, this.requireServer(), job));
    } catch (error) {
      this.change(job.id, { status: "error", error: `could not queue the job: ${error instanceof Error ? error.message : String(error)}`, endedAt: new Date().toISOString() });
    }
  }

  private change(jobId: string, patch: JobPatch): Job | undefined {
    const job = this.db.updateJob(jobId, patch);
    if (job) this.events.emit(job);
    return job;
  }

  private requireServer(): RunningServer {
    if (!this.server) throw new Error("the job service has not been started");
    return this.server;
  }
}
