import { randomUUID } from "node:crypto";
import { appendFile, link, rename, rm, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { openExclusive, readWithMtime } from "./lock-file.js";

/** A taker that died holding the takeover mutex leaves it behind; after this long it is removed. */
export const TAKEOVER_STALE_MS = 10_000;

/** Appended by a holder as it lets go: the mutex is stale at once. */
const RELEASED = "released\n";
/** Appended by a remover to a live mutex it moved aside, before it puts it back. */
const MOVED = "moved\n";

/** `<lock>.takeover`, held: the turn to replace the stale lock (see replaceStale). */
export interface TakeoverMutex {
  /** Whether it is still this holder's and untouched: checked just before the lock is replaced. */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * Takes the takeover mutex of `lockPath`, or returns undefined when another taker has it (after
 * removing it if it is stale, else after a short wait): the caller judges the lock again.
 *
 * Removing a stale mutex by path removes whatever is there by then: two takers that found the same
 * old mutex both remove "it", the slower one a fresh mutex a third made in between, and two hold
 * it. So a remover renames the mutex to a name of its own first (a rename moves one file: of
 * removers racing for it one gets it, the others find nothing or a later file), judges what it
 * moved, deletes it only if it is stale, and else puts it back with link(), which fails rather
 * than replace a mutex made meanwhile. While it was away another taker may have held the path, so
 * its holder must not go on: the remover appends MOVED to it first, and the holder sees that (as
 * it sees a put-back that failed) in stillHeld(), its last step before it replaces the lock, and
 * backs out. Every write appends (O_APPEND), so a holder still writing its token cannot overwrite
 * the mark. A holder that lets go appends RELEASED through its open handle, reaching its file
 * wherever a remover has it: one put back after that is removed by the next taker, not left for
 * TAKEOVER_STALE_MS. Left open: a holder moved aside after its stillHeld(), whose one rename over
 * the lock another taker outruns with all of its own turn.
 */
export async function takeTakeoverMutex(lockPath: string): Promise<TakeoverMutex | undefined> {
  const path = `${lockPath}.takeover`;
  const token = `${randomUUID()}\n`;
  const handle = await openExclusive(path, token, "ax");
  if (!handle) {
    if (await isStale(path)) await removeStaleMutex(lockPath);
    else await sleep(20 + Math.random() * 80);
    return undefined;
  }
  // Its file is told by its inode, kept from reuse while the handle is open.
  const own = await handle.stat().catch(async (error: unknown) => {
    await handle.close().catch(() => undefined);
    throw error;
  });
  const ownThere = () => stat(path).then((info) => (info.ino === own.ino && info.dev === own.dev ? info : undefined), () => undefined);
  return {
    // One stat, as close to the rename as can be; a mark shows as a size beyond the token's.
    stillHeld: async () => (await ownThere())?.size === Buffer.byteLength(token),
    async release() {
      // Its own file is at the path, maybe after a put-back; otherwise what is there is another taker's.
      const inPlace = (await ownThere()) !== undefined;
      await handle
        .write(RELEASED)
        .finally(() => handle.close())
        .catch(() => undefined);
      if (inPlace) await removeStaleMutex(lockPath);
    },
  };
}

/**
 * What a taker that found the mutex stale does: by now another taker may hold a fresh one there,
 * which is left in place (see takeTakeoverMutex).
 */
export async function removeStaleMutex(lockPath: string): Promise<void> {
  const path = `${lockPath}.takeover`;
  const aside = `${path}.${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    if (!(await isStale(aside))) await appendFile(aside, MOVED).then(() => link(aside, path)).catch(() => undefined);
  } finally {
    await rm(aside, { force: true });
  }
}

/** Let go of, or old: its taker died holding it. Not stale when it cannot be read (gone, say). */
async function isStale(file: string): Promise<boolean> {
  const found = await readWithMtime(file).catch(() => undefined);
  return found !== undefined && (found.text.includes(RELEASED) || Date.now() - found.mtimeMs > TAKEOVER_STALE_MS);
}
