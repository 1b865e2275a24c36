import { readdir, readFile, readlink, realpath } from "node:fs/promises";
import { sep } from "node:path";

/**
 * A server killed under its in-process jobs (SIGKILL, a crash, the node rebooting its service)
 * leaves their solvers running: each solver leads its own process group, so it outlives the
 * runner. On the next start, every process whose working directory is inside one of `dirs` (the
 * interrupted jobs' folders) has its process group killed, so an interrupted job is truly stopped
 * and its folder no longer changes. Linux (/proc); elsewhere nothing is found. Returns the groups killed.
 */
export async function killLeftoverSolvers(folders: string[]): Promise<number[]> {
  if (folders.length === 0) return [];
  // /proc gives working directories with every link resolved.
  const dirs = await Promise.all(folders.map((dir) => realpath(dir).catch(() => dir)));
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return [];
  }
  const groups = new Set<number>();
  for (const name of entries) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cwd = await readlink(`/proc/${name}/cwd`).catch(() => undefined);
    if (!cwd || !dirs.some((dir) => cwd === dir || cwd.startsWith(dir + sep))) continue;
    const pgrp = await processGroupOf(name);
    if (pgrp !== undefined && pgrp > 1 && pgrp !== process.pid) groups.add(pgrp);
  }
  for (const pgrp of groups) {
    try {
      process.kill(-pgrp, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  return [...groups];
}

async function processGroupOf(pid: string): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (!stat) return undefined;
  // "pid (comm) state ppid pgrp …"; comm may itself hold spaces and parentheses.
  const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  return Number.isInteger(pgrp) ? pgrp : undefined;
}
