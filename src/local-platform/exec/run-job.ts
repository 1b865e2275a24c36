import { runSolver } from "../../index.js";
import type { RunningServer } from "../../server/index.js";
import type { PlatformSettings } from "../platform-deps.js";
import type { Job, JobPatch, PlatformDb } from "../platform-types.js";
import { prepareJob } from "./job-work-dir.js";

/** Why a running job's signal was aborted. */
export const CANCELLED = "cancelled";
export const INTERRUPTED = "interrupted";

export interface RunJobContext {
  settings: PlatformSettings;
  db: PlatformDb;
  server: RunningServer;
  /** Sets fields of a job and announces it. */
  change(jobId: string, patch: JobPatch): Job | undefined;
}

/**
 * Runs one queued job with the runner, in this process, against the server itself: the job's folder
 * is laid out, its run data seeded, and runSolver reports to the server as any runner would
 * (progress arrives through the run-update hook). The job ends finished, error (with the runner's
 * reason and exit code), cancelled, or error "interrupted" when the server stops under it.
 */
export async function runJob(ctx: RunJobContext, jobId: string, signal: AbortSignal): Promise<void> {
  const job = ctx.db.getJob(jobId);
  if (!job || job.status !== "queued") return;
  const startedAt = new Date().toISOString();
  try {
    const configPath = await prepareJob(ctx.settings, ctx.server, job);
    ctx.change(jobId, { status: "running", startedAt, progress: 0, statusLabel: "starting" });
    // No grace here: a flag would win over the job's own (config.json holds it, the server's as default).
    const result = await runSolver({ configPath, signal, env: runnerEnv() });
    const endedAt = new Date().toISOString();
    if (signal.aborted) {
      ctx.change(jobId, endOnAbort(signal, endedAt, result.exitCode));
      return;
    }
    ctx.change(jobId, {
      status: result.status,
      progress: result.status === "finished" ? 100 : result.progress,
      // The runner's last label is that of its last stage ("postprocessing"); the job says how it ended.
      statusLabel: result.status === "finished" ? "finished" : (result.error?.code ?? "error"),
      runId: result.runId || null,
      exitCode: result.exitCode,
      error: result.status === "error" ? (result.error?.message ?? "the run failed") : null,
      endedAt,
    });
  } catch (error) {
    const endedAt = new Date().toISOString();
    if (signal.aborted) ctx.change(jobId, endOnAbort(signal, endedAt, null));
    else ctx.change(jobId, { status: "error", error: error instanceof Error ? error.message : String(error), endedAt, exitCode: null });
  }
}

function endOnAbort(signal: AbortSignal, endedAt: string, exitCode: number | null): JobPatch {
  if (signal.reason === CANCELLED) return { status: "cancelled", error: null, endedAt, exitCode, statusLabel: "cancelled" };
  return { status: "error", error: INTERRUPTED, endedAt, exitCode, statusLabel: "interrupted: the server stopped" };
}

/**
 * The runner reads PHYSICSWORKS_HOST, PHYSICSWORKS_TOKEN and the like from its environment over the
 * config: the server's own must not redirect a job, so they are left out.
 */
function runnerEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("PHYSICSWORKS_")));
}
