import { hostname } from "node:os";
import { threadId } from "node:worker_threads";
import { heldHere } from "./held-locks.js";
import type { LockRecord } from "./lock-record.js";
import { hasExited, processStat } from "../process/process-stat.js";

/** A lock file as found: its text, its record when readable, and when its holder last refreshed it. */
export interface FoundLock {
  raw: string;
  record?: LockRecord;
  mtimeMs: number;
}

export type LockVerdict = { busy: true } | { busy: false; why: string };

/**
 * Whether the holder of a lock still works in the work directory. On this host its process is
 * asked; another host's runner cannot be, so its lock counts while it keeps refreshing the mtime
 * (a shared filesystem: clocks are assumed to agree within `staleMs`).
 */
export async function judgeLock(found: FoundLock, staleMs: number, now = Date.now()): Promise<LockVerdict> {
  const age = now - found.mtimeMs;
  const { record } = found;
  if (!record) {
    // Empty or damaged: a runner between creating and writing it, or one that crashed there.
    return age > staleMs ? { busy: false, why: `it is damaged and was last written ${seconds(age)} ago` } : { busy: true };
  }
  if (record.host !== hostname()) {
    return age > staleMs ? { busy: false, why: `its runner on ${record.host} has not refreshed it for ${seconds(age)}` } : { busy: true };
  }
  if (!(await holderAlive(record))) return { busy: false, why: `its runner (pid ${record.pid} on this host) is gone` };
  if (record.pid === process.pid && record.threadId === threadId && !heldHere(record.lockId)) {
    return { busy: false, why: `its holder in this process (pid ${record.pid}) has let go of it and left it behind` };
  }
  return { busy: true };
}

async function holderAlive(record: LockRecord): Promise<boolean> {
  try {
    process.kill(record.pid, 0);
  } catch (error) {
    // EPERM: the process exists, under another user.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = await processStat(record.pid);
  // Without /proc the pid is all there is to go on.
  if (!stat) return true;
  if (hasExited(stat)) return false;
  // A process that started after the holder has its pid (a reboot, a restarted container): not the holder.
  return record.processStart === undefined || record.processStart === stat.start;
}

export function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 1000))} s`;
}
