import { readPointStates, type PointState } from "./point-status.js";
import { latestSlurmTasks } from "./slurm-tasks.js";
import type { SweepPoint, SweepSpec } from "./spec-types.js";

export interface SweepStatus {
  states: PointState[];
  /** The SLURM jobs that hold some point's latest array task, in the order they were submitted. */
  jobIds: string[];
  /** SLURM's state of each point's latest array task, by point index ("" when SLURM no longer knows it). */
  slurm: Map<number, string>;
}

/** Each point's run (debug/run.json) and, after `--scheduler slurm`, its latest array task's state. */
export async function sweepStatus(spec: SweepSpec, points: SweepPoint[]): Promise<SweepStatus> {
  const [states, tasks] = await Promise.all([readPointStates(spec, points), latestSlurmTasks(spec, points)]);
  const slurm = new Map([...tasks].map(([index, task]) => [index, task.state]));
  const jobIds = [...new Set([...tasks.values()].map((task) => task.jobId))].sort((a, b) => Number(a) - Number(b));
  return { states, jobIds, slurm };
}
