import { setTimeout as sleep } from "node:timers/promises";
import { isProcessGroupAlive } from "./process-group-alive.js";

export interface KillProcessGroupOptions {
  /** How long the group may take to end after SIGTERM before it gets SIGKILL. */
  graceMs: number;
  /** How often to look whether the group is gone. */
  pollMs?: number;
}

const DEFAULT_POLL_MS = 50;
/** SIGKILL cannot be refused, but delivery is not instant: wait this long so callers may count on the group being gone. */
const AFTER_KILL_WAIT_MS = 2000;

/**
 * Ends process group `pgid`: SIGTERM to every member, up to `graceMs` for them
 * to finish, then SIGKILL. Resolves once the group is gone (or, should SIGKILL
 * not take within a short wait, right after sending it). A group that is
 * already gone is not an error.
 */
export async function killProcessGroup(pgid: number, { graceMs, pollMs = DEFAULT_POLL_MS }: KillProcessGroupOptions): Promise<void> {
  // kill(0) and kill(-1) would signal the runner's own group or every process the user owns.
  if (!Number.isInteger(pgid) || pgid <= 1) {
    throw new TypeError(`killProcessGroup: the process group id must be an integer above 1 (got ${String(pgid)})`);
  }
  if (!Number.isFinite(graceMs) || graceMs < 0) {
    throw new TypeError(`killProcessGroup: "graceMs" must be a number of milliseconds, 0 or more (got ${String(graceMs)})`);
  }
  if (!Number.isFinite(pollMs) || pollMs <= 0) {
    throw new TypeError(`killProcessGroup: "pollMs" must be a positive number of milliseconds (got ${String(pollMs)})`);
  }

  if (!signalGroup(pgid, "SIGTERM")) return;
  if (await waitUntilGone(pgid, graceMs, pollMs)) return;
  if (!signalGroup(pgid, "SIGKILL")) return;
  await waitUntilGone(pgid, AFTER_KILL_WAIT_MS, pollMs);
}

/** false when there is no such group (any more). */
function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

async function waitUntilGone(pgid: number, timeoutMs: number, pollMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!(await isProcessGroupAlive(pgid))) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    await sleep(Math.min(pollMs, left));
  }
}
