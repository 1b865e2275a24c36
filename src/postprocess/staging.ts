/**
 * Archives are built under debug/ (protocol.md, "Where each output goes"), never in outputs/: a half-built
 * archive there would be an output itself, seen by the watcher and swept into result.zip by a `**` glob.
 */
import { copyFile, mkdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";

/** The folder below workDir where archives are built; left out of result.zip. */
export const STAGING_FOLDER = "debug/staging";

export function stagingDirOf(workDir: string): string {
  return join(workDir, ...STAGING_FOLDER.split("/"));
}

/** Puts a finished archive in place in one step, so no reader ever sees half of it. */
export async function moveIntoPlace(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    // debug/ on another filesystem (a bind mount): copy beside the target, then rename there.
    const beside = `${to}.${process.pid}.tmp`;
    try {
      await copyFile(from, beside);
      await rename(beside, to);
    } finally {
      await rm(beside, { force: true });
      await rm(from, { force: true });
    }
  }
}
