import { isActiveSlurmState, slurmTaskStates } from "./slurm-job.js";
import { readSlurmJobs } from "./slurm-jobs-record.js";
import { strayFoldersWarning } from "./stray-folders.js";
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
  /**
   * Folders the spec no longer has (it was edited: a point's folder is `<index>-<hash>`) whose
   * latest task is still queued or running: their parameters may be submitted again under a new folder.
   */
  strays: { dir: string; task: SlurmTask }[];
}

/**
 * Each point's latest array task among the sweep's submissions (sweep-slurm.json), with its
 * state; and the recorded folders the spec no longer has that SLURM still runs. SLURM is asked
 * once per job that holds some folder's latest task.
 */
export async function latestSlurmTasks(spec: SweepSpec, points: SweepPoint[]): Promise<LatestSlurmTasks> {
  const jobs = await readSlurmJobs(sweepPaths(spec).slurmJob);
  const latest = new Map<string, { jobId: string; task: number }>();
  for (const job of jobs) job.dirs.forEach((dir, task) => latest.set(dir, { jobId: job.jobId, task }));
  const held = new Set([...latest.values()].map((t) => t.jobId));
  const jobIds = jobs.map((job) => job.jobId).filter((jobId, i, all) => held.has(jobId) && all.indexOf(jobId) === i);
  const answers = new Map(await Promise.all(jobIds.map(async (jobId) => [jobId, await slurmTaskStates(jobId)] as const)));
  const stateOf = ({ jobId, task }: { jobId: string; task: number }): SlurmTask => ({ jobId, task, state: answers.get(jobId)?.states.get(task) ?? "" });
  const tasks = new Map<number, SlurmTask>();
  const current = new Set<string>();
  for (const point of points) {
    current.add(point.dir);
    const found = latest.get(point.dir);
    if (found) tasks.set(point.index, stateOf(found));
  }
  const strays = [...latest]
    .filter(([dir]) => !current.has(dir))
    .map(([dir, found]) => ({ dir, task: stateOf(found) }))
    .filter(({ task }) => isActiveSlurmState(task.state));
  const problems = [...answers.values()].flatMap((a) => (a.problem ? [a.problem] : []));
  const pointJobs = new Set([...tasks.values()].map((t) => t.jobId));
  return { tasks, jobIds: jobIds.filter((jobId) => pointJobs.has(jobId)), problems, strays };
}

/** The warning for folders an edited spec no longer has that SLURM still runs, or undefined. */
export function straysWarning(strays: LatestSlurmTasks["strays"]): string | undefined {
  const folders = strays.map(({ dir, task }) => `${dir} (job ${task.jobId}, ${task.state})`);
  return strayFoldersWarning(`SLURM still runs ${strays.length} folder(s)`, folders, "submitted");
}
