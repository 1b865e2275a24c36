import { readdir, readFile } from "node:fs/promises";

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
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return true;
  }
  const pids = entries.filter((name) => /^\d+$/.test(name)).map(Number);
  pids.sort((a, b) => a - b);
  // Members are forked after their leader, so their pids mostly follow pgid: look there first.
  const start = pids.findIndex((pid) => pid >= pgid);
  const ordered = start <= 0 ? pids : [...pids.slice(start), ...pids.slice(0, start)];
  for (const pid of ordered) {
    const state = await readState(pid);
    if (state && state.pgrp === pgid && state.state !== "Z" && state.state !== "X") return true;
  }
  return false;
}

async function readState(pid: number): Promise<{ state: string; pgrp: number } | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, "utf8");
  } catch {
    // Gone between readdir and here, or hidden from us.
    return undefined;
  }
  // "pid (comm) state ppid pgrp …"; comm may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  const pgrp = Number(fields[2]);
  return state === undefined || !Number.isInteger(pgrp) ? undefined : { state, pgrp };
}
