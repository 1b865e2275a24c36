import { slurmTaskStates } from "./slurm-job.js";
import { readSlurmJobs } from "./slurm-jobs-record.js";
import type { SweepPoint, SweepSpec } from "./spec-types.js";
import { sweepPaths } from "./sweep-paths.js";

/** A point's latest array task and SLURM's state of it ("" when SLURM no longer knows it). */
export interface SlurmTask {
  jobId: string;
  task: number;
  state: string;
}

/** States of a task that has ended (squeue, sacct and scontrol spell them alike); any other is still to run or running. */
const ENDED = new Set(["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "REVOKED"]);

/**
 * Whether SLURM will still run the task or runs it now: PENDING, RUNNING, REQUEUED, SUSPENDED,
 * a held task… A state SLURM no longer knows ("") is not.
 */
export function isActiveSlurmState(state: string): boolean {
  return state !== "" && !ENDED.has(state);
}

/**
 * Each point's latest array task among the sweep's submissions (sweep-slurm.json), with its
 * state, by point index; points never submitted are left out. SLURM is asked once per job that
 * is some point's latest.
 */
export async function latestSlurmTasks(spec: SweepSpec, points: SweepPoint[]): Promise<Map<number, SlurmTask>> {
  const jobs = await readSlurmJobs(sweepPaths(spec).slurmJob);
  const byDir = new Map(points.map((p) => [p.dir, p.index]));
  const latest = new Map<number, { jobId: string; task: number }>();
  for (const job of jobs) {
    job.dirs.forEach((dir, task) => {
      const index = byDir.get(dir);
      if (index !== undefined) latest.set(index, { jobId: job.jobId, task });
    });
  }
  const jobIds = [...new Set([...latest.values()].map((t) => t.jobId))];
  const states = new Map(await Promise.all(jobIds.map(async (jobId) => [jobId, await slurmTaskStates(jobId)] as const)));
  const tasks = new Map<number, SlurmTask>();
  for (const [index, { jobId, task }] of latest) tasks.set(index, { jobId, task, state: states.get(jobId)?.get(task) ?? "" });
  return tasks;
}
