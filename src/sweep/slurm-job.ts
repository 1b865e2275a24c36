import { PhysicsWorksError, ExitCode } from "../errors.js";
import { runQuiet } from "./run-quiet.js";

/** `sbatch --parsable script` → the job id ("1234", or "1234;cluster" on a federation). */
export async function sbatch(script: string, sbatchBin = "sbatch"): Promise<string> {
  const out = await runQuiet(sbatchBin, ["--parsable", script]);
  const jobId = out.stdout.trim().split(";")[0] ?? "";
  if (!out.ok || !/^\d+$/.test(jobId)) {
    throw new PhysicsWorksError(
      "scheduler",
      `sbatch refused the sweep (${out.error ?? `unexpected answer ${JSON.stringify(out.stdout.trim())}`}); the script is ${script} (run it again with --dryRun to only write it)`,
      ExitCode.platform,
    );
  }
  return jobId;
}

/** SLURM's answer about one job's array tasks. */
export interface TaskStates {
  /** By task id. */
  states: Map<number, string>;
  /**
   * Why the controller could not be asked (squeue failed, other than for a job it no longer
   * knows): a task still queued or running may be missing from `states`.
   */
  problem?: string;
}

/** States of a task that has ended (squeue, sacct and scontrol spell them alike); any other is still to run or running. */
const ENDED = new Set(["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "REVOKED"]);

/**
 * Whether SLURM will still run the task or runs it now: PENDING, RUNNING, REQUEUED, SUSPENDED,
 * COMPLETING, a held task… A state SLURM no longer knows ("") is not.
 */
export function isActiveSlurmState(state: string): boolean {
  return state !== "" && !ENDED.has(state);
}

/**
 * The state of each array task, by task id. Only the controller says a task is active: squeue
 * for what is queued or running, then scontrol, which also remembers ended jobs for a few minutes
 * (MinJobAge). sacct (where accounting is set up) adds the ended states of older tasks; an active
 * state there for a task the controller does not list is stale (slurmdbd behind, a runaway job
 * after a controller crash) and is left out.
 */
export async function slurmTaskStates(jobId: string): Promise<TaskStates> {
  const states = new Map<number, string>();
  const [squeue, sacct, scontrol] = await Promise.all([
    runQuiet("squeue", ["-h", "-r", "-j", jobId, "-o", "%i|%T"]),
    runQuiet("sacct", ["-j", jobId, "--format=JobID,State", "--parsable2", "--noheader"]),
    runQuiet("scontrol", ["-o", "show", "job", jobId]),
  ]);
  const add = (task: number, state: string) => {
    if (!states.has(task)) states.set(task, state);
  };
  if (squeue.ok) for (const [task, state] of parseTaskLines(squeue.stdout, jobId)) add(task, state);
  if (scontrol.ok) {
    for (const line of scontrol.stdout.split("\n")) {
      const task = /\bArrayTaskId=(\S+)/.exec(line)?.[1];
      const state = /\bJobState=(\S+)/.exec(line)?.[1];
      if (task && state) for (const t of taskIds(task)) add(t, state);
    }
  }
  if (sacct.ok) for (const [task, state] of parseTaskLines(sacct.stdout, jobId)) if (!isActiveSlurmState(state)) add(task, state);
  // A job the controller has forgotten is "Invalid job id": every task of it has ended.
  const gone = /invalid job id/i.test(squeue.stderr);
  if (squeue.ok || gone) return { states };
  // Its first line, cut: squeue's stderr may run long.
  const why = (squeue.error ?? "squeue failed").split("\n")[0]?.slice(0, 200) ?? "squeue failed";
  return { states, problem: `cannot ask SLURM about job ${jobId} (${why})` };
}

/** Lines of `<job>_<task>|STATE` or `<job>_[2-5%2]|PENDING`; job steps (`.batch`) are left out. */
export function parseTaskLines(text: string, jobId: string): Map<number, string> {
  const states = new Map<number, string>();
  for (const line of text.split("\n")) {
    const [id, rawState] = line.trim().split("|");
    if (!id || !rawState || !id.startsWith(`${jobId}_`) || id.includes(".")) continue;
    const state = rawState.split(" ")[0] ?? rawState; // "CANCELLED by 0"
    const task = id.slice(jobId.length + 1).replace(/^\[|\]$/g, "");
    for (const t of taskIds(task)) states.set(t, state);
  }
  return states;
}

/** "4" → [4]; "2-5%2" → [2,3,4,5]; "1,3-4" → [1,3,4]. */
export function taskIds(spec: string): number[] {
  const ids: number[] = [];
  for (const part of spec.split("%")[0]?.split(",") ?? []) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let i = a; i <= b && ids.length < 1_000_000; i++) ids.push(i);
  }
  return ids;
}
