import { readPointStates, type PointState } from "./point-status.js";
import { readSlurmJob, slurmTaskStates } from "./slurm-job.js";
import type { SweepPoint, SweepSpec } from "./spec-types.js";
import { sweepPaths } from "./sweep-paths.js";

export interface SweepStatus {
  states: PointState[];
  /** The last SLURM submission's job id, when there was one. */
  jobId?: string;
  /** SLURM's state of each point's array task, by point index ("" when SLURM no longer knows it). */
  slurm: Map<number, string>;
}

/** Each point's run (debug/run.json) and, after `--scheduler slurm`, its array task's state. */
export async function sweepStatus(spec: SweepSpec, points: SweepPoint[]): Promise<SweepStatus> {
  const states = await readPointStates(spec, points);
  const job = await readSlurmJob(sweepPaths(spec).slurmJob);
  const slurm = new Map<number, string>();
  if (!job) return { states, slurm };
  const tasks = await slurmTaskStates(job.jobId);
  const byDir = new Map(points.map((p) => [p.dir, p.index]));
  job.dirs.forEach((dir, task) => {
    const index = byDir.get(dir);
    if (index !== undefined) slurm.set(index, tasks.get(task) ?? "");
  });
  return { states, jobId: job.jobId, slurm };
}
