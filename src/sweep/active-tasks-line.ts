import type { SlurmTask } from "./slurm-tasks.js";
import type { SweepPoint } from "./spec-types.js";

/**
 * "3 of 6 points are still queued or running in SLURM (job 12: 2 PENDING, 1 RUNNING)": the points
 * a submission left alone because an earlier one will run them.
 */
export function activeTasksLine(active: { point: SweepPoint; task: SlurmTask }[], total: number): string {
  const byJob = new Map<string, Map<string, number>>();
  for (const { task } of active) {
    const states = byJob.get(task.jobId) ?? new Map<string, number>();
    states.set(task.state, (states.get(task.state) ?? 0) + 1);
    byJob.set(task.jobId, states);
  }
  const jobs = [...byJob].map(([jobId, states]) => `job ${jobId}: ${[...states].map(([state, n]) => `${n} ${state}`).join(", ")}`);
  const verb = active.length === 1 ? "is" : "are";
  return `${active.length} of ${total} point${total === 1 ? "" : "s"} ${verb} still queued or running in SLURM (${jobs.join("; ")})`;
}
