import { chmod, mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { readPointStates } from "./point-status.js";
import { prepareRun } from "./prepare-run.js";
import { sbatch, writeSlurmJob } from "./slurm-job.js";
import { slurmScript } from "./slurm-script.js";
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
  /** The points submitted, in array task order; finished points are left out (resume). */
  submitted: SweepPoint[];
  skipped: SweepPoint[];
  jobId?: string;
}

/** Lays out the runs of the unfinished points, writes the array script and, unless dryRun, submits it. */
export async function submitSweepToSlurm(options: SlurmSubmitOptions): Promise<SlurmSubmission> {
  const { spec } = options;
  const paths = sweepPaths(spec);
  const states = await readPointStates(spec, options.points);
  const submitted = states.filter((s) => s.status !== "finished").map((s) => s.point);
  const skipped = states.filter((s) => s.status === "finished").map((s) => s.point);
  if (submitted.length === 0) return { script: paths.slurmScript, submitted, skipped };

  for (const point of submitted) await prepareRun(spec, point);
  await mkdir(paths.slurmLogs, { recursive: true });
  await writeFile(paths.slurmPoints, submitted.map((p) => `${p.dir}\n`).join(""));
  const script = slurmScript({
    slurm: spec.slurm,
    jobName: spec.slurm.jobName ?? `sweep-${spec.name.replace(/[^\w.-]/g, "_")}`,
    tasks: submitted.length,
    pointsFile: paths.slurmPoints,
    runsDir: paths.runs,
    logsDir: paths.slurmLogs,
    node: options.node ?? process.execPath,
    cli: options.cli ?? CLI_PATH,
    specPath: spec.specPath,
  });
  await writeFile(paths.slurmScript, script);
  await chmod(paths.slurmScript, 0o755);
  if (options.dryRun) return { script: paths.slurmScript, submitted, skipped };

  const jobId = await sbatch(paths.slurmScript, options.sbatchBin);
  await writeSlurmJob(paths.slurmJob, { jobId, submittedAt: new Date().toISOString(), script: paths.slurmScript, dirs: submitted.map((p) => p.dir) });
  return { script: paths.slurmScript, submitted, skipped, jobId };
}
