import { rename, rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../errors.js";
import { busyError, describeHolder } from "./busy-error.js";
import { markHeld, markLetGo } from "./held-locks.js";
import { createExclusive, lockFileError, readLock } from "./lock-file.js";
import { newLockRecord, type LockCommand } from "./lock-record.js";
import { judgeLock, type FoundLock } from "./lock-verdict.js";
import { takeTakeoverMutex } from "./takeover-mutex.js";

/** How often a holder touches its lock's mtime, so that runners on other hosts see it is alive. */
export const LOCK_REFRESH_MS = 10_000;

export interface WorkDirLockOptions {
  command: LockCommand;
  /** Default `<workDir>/debug/runner.lock`; a sweep's submissions lock `<root>/sweep-submit.lock`. */
  lockPath?: string;
  /** What the folder is, in the busy error (default "the work directory"). */
  what?: string;
  /** Default LOCK_REFRESH_MS. */
  refreshMs?: number;
  /** Another host's lock not refreshed for this long is stale (default 3 × refreshMs). */
  staleMs?: number;
}

/** debug/runner.lock, held: refreshed until released. */
export interface WorkDirLock {
  readonly path: string;
  /** Set when a stale lock was taken over: whose it was and why it was stale, for the run's log. */
  readonly tookOver?: string;
  /** `warn` is told, once, if the lock is found removed or taken by another runner while held. */
  onLost(warn: (message: string) => void): void;
  /** Stops the refresh and removes the lock, if it is still this holder's. */
  release(): Promise<void>;
}

export function lockPathOf(workDir: string): string {
  return join(workDir, "debug", "runner.lock");
}

/** Runners starting together may each find the lock changed by another: a few rounds settle it. */
const ROUNDS = 20;

/**
 * Takes `<workDir>/debug/runner.lock` (debug/ must exist), or throws WorkDirBusyError when another
 * runner holds it. A stale lock (its runner gone, or another host's not refreshed) is taken over.
 */
export async function takeWorkDirLock(workDir: string, options: WorkDirLockOptions): Promise<WorkDirLock> {
  const path = options.lockPath ?? lockPathOf(workDir);
  const what = options.what ?? "the work directory";
  const refreshMs = options.refreshMs ?? LOCK_REFRESH_MS;
  const staleMs = options.staleMs ?? 3 * refreshMs;
  const mine = await newLockRecord(options.command);
  const text = `${JSON.stringify(mine, null, 2)}\n`;
  // Held before the file exists: another taker in this process must not find it there unheld.
  markHeld(mine.lockId);
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      if (await createExclusive(path, text)) return hold(path, mine.lockId, refreshMs);
      const found = await readLock(path);
      if (!found) continue;
      const verdict = await judgeLock(found, staleMs);
      if (verdict.busy) throw busyError(workDir, path, found, Date.now(), what);
      if (await replaceStale(path, found, text, mine.lockId)) {
        return hold(path, mine.lockId, refreshMs, `took over the stale lock ${path} of ${describeHolder(found)}: ${verdict.why}`);
      }
      // Another runner replaced it first: its lock is judged in the next round.
    }
    throw busyError(workDir, path, await readLock(path), Date.now(), what);
  } catch (error) {
    markLetGo(mine.lockId);
    throw error;
  }
}

/** Throws WorkDirBusyError when a live runner holds the work directory's lock; takes nothing. */
export async function checkWorkDirFree(workDir: string, staleMs = 3 * LOCK_REFRESH_MS): Promise<void> {
  const path = lockPathOf(workDir);
  // A lock that cannot be read now is left to the run's own takeWorkDirLock to judge.
  const found = await readLock(path).catch(() => undefined);
  if (found && (await judgeLock(found, staleMs)).busy) throw busyError(workDir, path, found);
}

/**
 * Puts this holder's lock in place of a stale one. Runners that find the same stale lock at once
 * take turns through a mutex, `runner.lock.takeover` (takeover-mutex.ts): a check of the lock and
 * a rename over it by one taker could otherwise interleave with another's, and both would hold it.
 * Inside the mutex, only the lock that was judged stale is replaced, with one rename (a reader
 * never sees the lock missing or half written). False when another runner's lock is there by
 * then, or another taker holds the mutex: the caller judges the lock again.
 */
async function replaceStale(path: string, stale: FoundLock, text: string, lockId: string): Promise<boolean> {
  const tmp = `${path}.${lockId}.tmp`;
  let mutex;
  try {
    mutex = await takeTakeoverMutex(path);
    if (!mutex) return false;
    await writeFile(tmp, text, { mode: 0o644 });
    const now = await readLock(path);
    if (!now || now.raw !== stale.raw || now.mtimeMs !== stale.mtimeMs) return false;
    // A taker removing a stale mutex may have moved this one aside, and another taker be inside now.
    if (!(await mutex.stillHeld())) return false;
    await rename(tmp, path);
  } catch (error) {
    throw error instanceof ConfigError ? error : lockFileError(path, error);
  } finally {
    await rm(tmp, { force: true });
    // One left behind is removed as stale by a later taker.
    await mutex?.release().catch(() => undefined);
  }
  return (await readLock(path))?.record?.lockId === lockId;
}

function hold(path: string, lockId: string, refreshMs: number, tookOver?: string): WorkDirLock {
  let released = false;
  let lostMessage: string | undefined;
  let warn: ((message: string) => void) | undefined;
  const refresh = async () => {
    let found;
    try {
      found = await readLock(path);
    } catch {
      // Unreadable for now (a filesystem hiccup): the next round tries again.
      return;
    }
    if (released) return;
    if (found?.record?.lockId === lockId) {
      const now = new Date();
      await utimes(path, now, now).catch(() => undefined);
      return;
    }
    clearInterval(timer);
    lostMessage = `the work directory lock ${path} was removed or taken over by another runner while this one ran: two runners may be writing this work directory`;
    warn?.(lostMessage);
  };
  const timer = setInterval(() => void refresh(), refreshMs);
  // The refresh must not keep a process alive that has nothing else to do.
  timer.unref();
  return {
    path,
    ...(tookOver ? { tookOver } : {}),
    onLost(w) {
      warn = w;
      if (lostMessage) w(lostMessage);
    },
    async release() {
      released = true;
      clearInterval(timer);
      try {
        if ((await readLock(path))?.record?.lockId === lockId) await rm(path, { force: true });
      } catch {
        // Left behind, it is stale: once let go of here (judgeLock), and to other processes once this one has ended.
      } finally {
        markLetGo(lockId);
      }
    },
  };
}
