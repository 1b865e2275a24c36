/**
 * A cached file put at its destination: hard-linked when the cache and the destination share a
 * filesystem (no copy, no extra disk), copied otherwise. Made beside the destination and renamed over
 * it, so the destination is never half a file, and an existing one is replaced.
 */
import { randomUUID } from "node:crypto";
import { constants } from "node:fs";
import { chmod, copyFile, link, mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";

/** link() fails with these when a hard link cannot be made here; anything else is a real error. */
const CANNOT_LINK = new Set(["EXDEV", "EPERM", "EMLINK", "ENOTSUP", "EOPNOTSUPP", "EACCES"]);

export async function placeFile(cached: string, dest: string, allowLink: boolean): Promise<"linked" | "copied"> {
  await mkdir(dirname(dest), { recursive: true });
  const beside = `${dest}.${randomUUID()}.tmp`;
  try {
    let how: "linked" | "copied" = "linked";
    try {
      if (!allowLink) throw Object.assign(new Error("links not wanted"), { code: "EPERM" });
      await linkSwapped(cached, beside);
    } catch (error) {
      if (!CANNOT_LINK.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
      // FICLONE: a copy-on-write clone where the filesystem offers one (btrfs, xfs), a plain copy elsewhere.
      await copyFile(cached, beside, constants.COPYFILE_FICLONE);
      // The cached file is read-only; a copy is the caller's own to change.
      await chmod(beside, 0o644);
      how = "copied";
    }
    await rename(beside, dest);
    return how;
  } finally {
    await rm(beside, { force: true });
  }
}

/** Tries of a link whose source name was swapped to another file meanwhile (see linkSwapped). */
const LINK_TRIES = 5;

/**
 * link(2) with a retry: when another run renames a fresh copy over `cached` between link's lookup
 * of the name and its link of the inode, the old inode has no name left and link fails with ENOENT
 * although the name exists (seen with 6 runs sharing a cache). The name then holds the new file
 * (same content: a file id names fixed content), so the link is made again. A source that is
 * really gone fails as before.
 */
async function linkSwapped(cached: string, beside: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await link(cached, beside);
      return;
    } catch (error) {
      const gone = (error as NodeJS.ErrnoException).code === "ENOENT";
      if (!gone || attempt >= LINK_TRIES || !(await stat(cached).catch(() => undefined))) throw error;
    }
  }
}
