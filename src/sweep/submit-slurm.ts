import { chmod, copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ExitCode, PhysicsWorksError } from "../errors.js";
import { readPointStates } from "./point-status.js";
import { prepareRun } from "./prepare-run.js";
import { isActiveSlurmState, sbatch } from "./slurm-job.js";
import { addSlurmJob } from "./slurm-jobs-record.js";
import { slurmScript } from "./slurm-script.js";
import { latestSlurmTasks, straysWarning, type SlurmTask } from "./slurm-tasks.js";
import type { SweepPoint, SweepSpec } from "./spec-types.js";
import { takeSubmitLock } from "./submit-lock.js";
import { sweepPaths } from "./sweep-paths.js";

/** bin/physicsworks-solve.js of this installation (from src/sweep/ and from dist/sweep/ alike). */
export const CLI_PATH = fileURLToPath(new URL("../../bin/physicsworks-solve.js", import.meta.url));

export interface SlurmSubmitOptions {
  spec: SweepSpec;
  points: SweepPoint[];
  /** Only write the script (and lay out the runs). */
  dryRun?: boolean;
  node?: string;
  cli?: string;
  sbatchBin?: string;
}

export interface SlurmSubmission {
  /** The script as submitted (a copy kept per job), or the one written by a dry run. */
  script: string;
  /** The points submitted, in array task order. */
  submitted: SweepPoint[];
  /** Finished already (resume): not submitted again. */
  skipped: SweepPoint[];
  /** Still queued or running in an earlier submission: not submitted again (nor their folders touched). */
  active: { point: SweepPoint; task: SlurmTask }[];
  jobId?: string;
  /** Folders of an edited spec SLURM still runs; a job that went in but could not be kept or recorded. */
  warnings: string[];
}

/**
 * Lays out the runs of the points that are neither finished nor still queued or running in an
 * earlier submission, writes the array script and, unless dryRun, submits it and adds it to
 * sweep-slurm.json. One submission at a time per sweep (`<root>/sweep-submit.lock`): two at once
 * would each find the points free and submit them both.
 */
export async function submitSweepToSlurm(options: SlurmSubmitOptions): Promise<SlurmSubmission> {
  const lock = await takeSubmitLock(options.spec);
  try {
    return await submitLocked(options);
  } finally {
    await lock.release();
  }
}

async function submitLocked(options: SlurmSubmitOptions): Promise<SlurmSubmission> {
  const { spec } = options;
  const paths = sweepPaths(spec);
  // SLURM first, the runs' records after: a task that ends in between has written its run.json
  // before it left SLURM, so it is seen finished, never as neither finished nor active.
  const latest = await latestSlurmTasks(spec, options.points);
  if (latest.problems.length) {
    throw new PhysicsWorksError(
      "scheduler",
      `${latest.problems.join("; ")}: without SLURM's answer, points it still runs would be submitted twice; try again when squeue answers`,
      ExitCode.platform,
    );
  }
  const stray = straysWarning(latest.strays);
  const states = await readPointStates(spec, options.points);
  const skipped = states.filter((s) => s.status === "finished").map((s) => s.point);
  const active: SlurmSubmission["active"] = [];
  const submitted: SweepPoint[] = [];
  for (const { point, status } of states) {
    if (status === "finished") continue;
    const task = latest.tasks.get(point.index);
    if (task && isActiveSlurmState(task.state)) active.push({ point, task });
    else submitted.push(point);
  }
  const none = { script: paths.slurmScript, submitted, skipped, active, warnings: stray ? [stray] : [] };
  if (submitted.length === 0) return none;

  for (const point of submitted) await prepareRun(spec, point);
  await mkdir(paths.slurmLogs, { recursive: true });
  const dirs = submitted.map((p) => p.dir);
  const text = slurmScript({
    slurm: spec.slurm,
    jobName: spec.slurm.jobName ?? `sweep-${spec.name.replace(/[^\w.-]/g, "_")}`,
    dirs,
    runsDir: paths.runs,
    logsDir: paths.slurmLogs,
    node: options.node ?? process.execPath,
    cli: options.cli ?? CLI_PATH,
    specPath: spec.specPath,
  });
  await writeFile(paths.slurmScript, text);
  await chmod(paths.slurmScript, 0o755);
  if (options.dryRun) return none;

  const jobId = await sbatch(paths.slurmScript, options.sbatchBin);
  // From here the job runs whatever happens: a failure to keep its script or record it is a
  // warning. Its script is copied first (the record names the copy, or sweep.sbatch without one).
  const warnings: string[] = [...none.warnings];
  let script = join(paths.slurmLogs, `${jobId}.sbatch`);
  try {
    await copyFile(paths.slurmScript, script);
  } catch (error) {
    script = paths.slurmScript;
    warnings.push(`job ${jobId}'s script could not be kept in ${paths.slurmLogs} (${(error as Error).message}); ${paths.slurmScript} is it until the next submission`);
  }
  try {
    await addSlurmJob(paths.slurmJob, { jobId, submittedAt: new Date().toISOString(), script, dirs });
  } catch (error) {
    warnings.push(
      `job ${jobId} was submitted, but could not be recorded in ${paths.slurmJob} (${(error as Error).message}): ` +
        "until it ends, `sweep status` does not show it and a second `sweep run` would submit its points again",
    );
  }
  return { script, submitted, skipped, active, jobId, warnings };
}
