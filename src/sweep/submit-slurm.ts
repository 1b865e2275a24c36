import { chmod, mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { readPointStates } from "./point-status.js";
import { prepareRun } from "./prepare-run.js";
import { sbatch } from "./slurm-job.js";
import { addSlurmJob } from "./slurm-jobs-record.js";
import { slurmScript } from "./slurm-script.js";
import { isActiveSlurmState, latestSlurmTasks, type SlurmTask } from "./slurm-tasks.js";
import type { SweepPoint, SweepSpec } from "./spec-types.js";
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
  script: string;
  /** The points submitted, in array task order. */
  submitted: SweepPoint[];
  /** Finished already (resume): not submitted again. */
  skipped: SweepPoint[];
  /** Still queued or running in an earlier submission: not submitted again (nor their folders touched). */
  active: { point: SweepPoint; task: SlurmTask }[];
  jobId?: string;
}

/**
 * Lays out the runs of the points that are neither finished nor still queued or running in an
 * earlier submission, writes the array script and, unless dryRun, submits it and adds it to
 * sweep-slurm.json.
 */
export async function submitSweepToSlurm(options: SlurmSubmitOptions): Promise<SlurmSubmission> {
  const { spec } = options;
  const paths = sweepPaths(spec);
  const [states, tasks] = await Promise.all([readPointStates(spec, options.points), latestSlurmTasks(spec, options.points)]);
  const skipped = states.filter((s) => s.status === "finished").map((s) => s.point);
  const active: SlurmSubmission["active"] = [];
  const submitted: SweepPoint[] = [];
  for (const { point, status } of states) {
    if (status === "finished") continue;
    const task = tasks.get(point.index);
    if (task && isActiveSlurmState(task.state)) active.push({ point, task });
    else submitted.push(point);
  }
  if (submitted.length === 0) return { script: paths.slurmScript, submitted, skipped, active };

  for (const point of submitted) await prepareRun(spec, point);
  await mkdir(paths.slurmLogs, { recursive: true });
  const dirs = submitted.map((p) => p.dir);
  const script = slurmScript({
    slurm: spec.slurm,
    jobName: spec.slurm.jobName ?? `sweep-${spec.name.replace(/[^\w.-]/g, "_")}`,
    dirs,
    runsDir: paths.runs,
    logsDir: paths.slurmLogs,
    node: options.node ?? process.execPath,
    cli: options.cli ?? CLI_PATH,
    specPath: spec.specPath,
  });
  await writeFile(paths.slurmScript, script);
  await chmod(paths.slurmScript, 0o755);
  if (options.dryRun) return { script: paths.slurmScript, submitted, skipped, active };

  const jobId = await sbatch(paths.slurmScript, options.sbatchBin);
  await addSlurmJob(paths.slurmJob, { jobId, submittedAt: new Date().toISOString(), script: paths.slurmScript, dirs });
  return { script: paths.slurmScript, submitted, skipped, active, jobId };
}
