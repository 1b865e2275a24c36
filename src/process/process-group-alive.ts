import { readdir } from "node:fs/promises";
import { hasExited, processStat } from "./process-stat.js";

/**
 * Whether any process of group `pgid` still runs.
 *
 * `kill(-pgid, 0)` alone counts zombies as members. A container whose PID 1
 * does not reap orphans (Docker without --init, some batch systems) keeps the
 * solver's killed grandchildren as zombies forever, and the group would never
 * look gone. On Linux, /proc tells a zombie from a live process.
 */
export async function isProcessGroupAlive(pgid: number): Promise<boolean> {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ESRCH") return false;
    // A member we may not signal is still a member.
    if (code === "EPERM") return true;
    throw error;
  }
  if (process.platform !== "linux") return true;
  return hasLiveMember(pgid);
}

async function hasLiveMember(pgid: number): Promise<boolean> {
  try {
    return !(await liveGroupMembers(pgid).next()).done;
  } catch {
    // /proc cannot be listed: kill(-pgid, 0) said there are members.
    return true;
  }
}

/**
 * The pids of the live members of group `pgid` (not zombies), from Linux's /proc, those at or
 * after the group's id first. Rejects where /proc cannot be listed.
 */
export async function* liveGroupMembers(pgid: number): AsyncGenerator<number> {
  const entries = await readdir("/proc");
  const pids = entries.filter((name) => /^\d+$/.test(name)).map(Number);
  pids.sort((a, b) => a - b);
  // Members are forked after their leader, so their pids mostly follow pgid: look there first.
  const start = pids.findIndex((pid) => pid >= pgid);
  const ordered = start <= 0 ? pids : [...pids.slice(start), ...pids.slice(0, start)];
  for (const pid of ordered) {
    const stat = await processStat(pid);
    if (stat && stat.pgrp === pgid && !hasExited(stat)) yield pid;
  }
}
