import { ConfigError } from "../errors.js";
import { readPointStates, type PointState } from "./point-status.js";
import { isActiveSlurmState } from "./slurm-job.js";
import { latestSlurmTasks, straysWarning, type LatestSlurmTasks } from "./slurm-tasks.js";
import type { SweepPoint, SweepSpec } from "./spec-types.js";

export interface SweepStatus {
  states: PointState[];
  /** The SLURM jobs that hold some point's latest array task, in the order they were submitted. */
  jobIds: string[];
  /** SLURM's state of each point's latest array task, by point index ("" when SLURM no longer knows it). */
  slurm: Map<number, string>;
  /** What could not be told (SLURM not answering): the states shown may be missing some. */
  warnings: string[];
}

/** Each point's run (debug/run.json) and, after `--scheduler slurm`, its latest array task's state. */
export async function sweepStatus(spec: SweepSpec, points: SweepPoint[]): Promise<SweepStatus> {
  // A damaged sweep-slurm.json costs the SLURM column, not the runs' states (a submission refuses it).
  const unknown = (error: unknown): LatestSlurmTasks => {
    if (!(error instanceof ConfigError)) throw error;
    return { tasks: new Map(), jobIds: [], problems: [error.message], strays: [] };
  };
  // SLURM first, as a submission asks it: a task that ends in between is then seen finished.
  const latest = await latestSlurmTasks(spec, points).catch(unknown);
  const states = await readPointStates(spec, points);
  const slurm = new Map([...latest.tasks].map(([index, task]) => [index, task.state]));
  // A point SLURM still runs or queues is not what an earlier run's run.json (or none) says.
  const shown = states.map((s): PointState => {
    const task = latest.tasks.get(s.point.index);
    if (!task || !isActiveSlurmState(task.state) || s.status === "finished") return s;
    return { point: s.point, status: task.state === "RUNNING" ? "running" : "pending" };
  });
  const stray = straysWarning(latest.strays);
  return { states: shown, jobIds: latest.jobIds, slurm, warnings: [...latest.problems, ...(stray ? [stray] : [])] };
}
