import { readFile } from "node:fs/promises";
import { ConfigError } from "../errors.js";
import { writeJsonAtomic } from "../fs/write-json-atomic.js";

/** One submission of a sweep to SLURM. */
export interface SlurmJobRecord {
  jobId: string;
  submittedAt: string;
  script: string;
  /** The point folders in array task order: task i runs dirs[i]. */
  dirs: string[];
}

/**
 * <root>/sweep-slurm.json: every submission of the sweep, oldest first, so that `sweep status`
 * and the next `sweep run` can ask SLURM about each point's latest array task. A file of one
 * record (`{jobId, …}`) is an earlier version's, and reads as that one submission.
 */
export async function readSlurmJobs(path: string): Promise<SlurmJobRecord[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new ConfigError(`${path}: cannot read the sweep's SLURM record (${(error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: not JSON (${(error as Error).message}); move it aside, and the next \`sweep run\` starts a new one`);
  }
  const jobs = isObject(parsed) && Array.isArray(parsed.jobs) ? parsed.jobs : [parsed];
  if (!jobs.every(isJobRecord)) {
    throw new ConfigError(`${path}: not a sweep's SLURM record (expected {"jobs": [{"jobId", "submittedAt", "script", "dirs"}, …]}); move it aside, and the next \`sweep run\` starts a new one`);
  }
  return jobs;
}

/** Adds a submission to the record (through a temporary file: a reader never sees half of it). */
export async function addSlurmJob(path: string, record: SlurmJobRecord): Promise<void> {
  await writeJsonAtomic(path, { jobs: [...(await readSlurmJobs(path)), record] }, 2);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function isJobRecord(value: unknown): value is SlurmJobRecord {
  return (
    isObject(value) &&
    typeof value.jobId === "string" &&
    typeof value.submittedAt === "string" &&
    typeof value.script === "string" &&
    Array.isArray(value.dirs) &&
    value.dirs.every((dir) => typeof dir === "string")
  );
}
