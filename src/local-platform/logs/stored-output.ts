import type { StoredFileInfo } from "../../server/index.js";
import type { PlatformDeps } from "../platform-deps.js";
import type { Job } from "../platform-types.js";

/** The stored paths (relative to the runner's outputs/) the job API serves. */
export const MAIN_LOG = "logs/main.log";
export const RESULT_ZIP = "result.zip";
export const RUN_REPORT = "report.html";

/**
 * A job's output as the protocol server stored it, by its path under outputs/; undefined before the
 * job has a run or before the runner sent that file. Were it stored twice, the larger one is the
 * more complete.
 */
export async function storedOutput(deps: PlatformDeps, job: Pick<Job, "runId">, outputPath: string): Promise<StoredFileInfo | undefined> {
  const server = deps.server.current;
  if (!job.runId || !server) return undefined;
  let found: StoredFileInfo | undefined;
  for (const file of await server.store.files(job.runId)) {
    if (file.path === outputPath && (!found || file.size > found.size)) found = file;
  }
  return found;
}
