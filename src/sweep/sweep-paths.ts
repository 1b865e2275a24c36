import { join } from "node:path";
import type { SweepPoint, SweepSpec } from "./spec-types.js";

/** Where a sweep keeps its runs and its own files, all under the spec's root. */
export function sweepPaths(spec: Pick<SweepSpec, "root">) {
  const root = spec.root;
  return {
    root,
    runs: join(root, "runs"),
    run: (point: Pick<SweepPoint, "dir">) => join(root, "runs", point.dir),
    config: (point: Pick<SweepPoint, "dir">) => join(root, "runs", point.dir, "config.json"),
    runJson: (point: Pick<SweepPoint, "dir">) => join(root, "runs", point.dir, "debug", "run.json"),
    resultsCsv: join(root, "sweep-results.csv"),
    /** The last batch script (its points listed in it; each job's copy is in slurmLogs) and the record of every submission. */
    slurmScript: join(root, "sweep.sbatch"),
    slurmJob: join(root, "sweep-slurm.json"),
    /** Held while a submission (SLURM or NATS) checks, submits and records. */
    submitLock: join(root, "sweep-submit.lock"),
    slurmLogs: join(root, "slurm-logs"),
  };
}
