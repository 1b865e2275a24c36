import { readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { fileStamp, sameStamp, stampOf } from "../fs/file-stamp.js";

/** What became of the write: done, left alone (the file is read-only), or given up (saved by someone else on every try). */
export type ResourceWriteOutcome = "written" | "read-only" | "busy";

const TRIES = 3;

/**
 * The Python runner writes `resource: {id, name}` of the run node into config.json; so does this
 * one, through a temporary file with the original's permissions (it may hold the token: 600). A
 * read-only file is its owner's "do not touch": left alone. A save made while the new text was
 * being written (an `"abort": true`, say) is not overwritten: the file is read again and the
 * write made over, at most three times. What a save in the last moment before the rename holds
 * is still lost: nothing short of a lock both sides take closes that.
 */
export async function writeResourceBack(path: string, resource: { id: string; name: string }): Promise<ResourceWriteOutcome> {
  for (let tried = 0; tried < TRIES; tried++) {
    const info = await stat(path);
    if ((info.mode & 0o222) === 0) return "read-only";
    const before = stampOf(info);
    const config = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    config.resource = resource;
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: info.mode & 0o777 });
    const now = await fileStamp(path);
    if (now && sameStamp(before, now)) {
      await rename(tmp, path);
      return "written";
    }
    await rm(tmp, { force: true });
  }
  return "busy";
}
