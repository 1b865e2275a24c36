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

export interface LatestSlurmTasks {
  /** By point index; points never submitted are left out. */
  tasks: Map<number, SlurmTask>;
  /** The jobs that hold some point's latest task, in the order they were submitted. */
  jobIds: string[];
  /** Jobs SLURM could not be asked about (see TaskStates.problem). */
  problems: string[];
}

/**
 * Each point's latest array task among the sweep's submissions (sweep-slurm.json), with its
 * state. SLURM is asked once per job that is some point's latest.
 */
export async function latestSlurmTasks(spec: SweepSpec, points: SweepPoint[]): Promise<LatestSlurmTasks> {
  const jobs = await readSlurmJobs(sweepPaths(spec).slurmJob);
  const byDir = new Map(points.map((p) => [p.dir, p.index]));
  const latest = new Map<number, { jobId: string; task: number }>();
  for (const job of jobs) {
    job.dirs.forEach((dir, task) => {
      const index = byDir.get(dir);
      if (index !== undefined) latest.set(index, { jobId: job.jobId, task });
    });
  }
  const held = new Set([...latest.values()].map((t) => t.jobId));
  const jobIds = jobs.map((job) => job.jobId).filter((jobId, i, all) => held.has(jobId) && all.indexOf(jobId) === i);
  const answers = new Map(await Promise.all(jobIds.map(async (jobId) => [jobId, await slurmTaskStates(jobId)] as const)));
  const tasks = new Map<number, SlurmTask>();
  for (const [index, { jobId, task }] of latest) tasks.set(index, { jobId, task, state: answers.get(jobId)?.states.get(task) ?? "" });
  const problems = [...answers.values()].flatMap((a) => (a.problem ? [a.problem] : []));
  return { tasks, jobIds, problems };
}
