import { mkdir } from "node:fs/promises";
import { takeWorkDirLock, type WorkDirLock } from "../work-lock/work-dir-lock.js";
import type { SweepSpec } from "./spec-types.js";
import { sweepPaths } from "./sweep-paths.js";

/**
 * `<root>/sweep-submit.lock`, held while a submission (SLURM or NATS) reads what still runs,
 * submits and records: two at once would each find the points free and submit them both.
 */
export async function takeSubmitLock(spec: Pick<SweepSpec, "root">): Promise<WorkDirLock> {
  const paths = sweepPaths(spec);
  await mkdir(paths.root, { recursive: true });
  return takeWorkDirLock(paths.root, { command: "sweep submission", lockPath: paths.submitLock, what: "the sweep root" });
}
