import { readFile } from "node:fs/promises";

export interface ProcessStat {
  /** One letter: R, S, D, Z (exited but not reaped: as good as gone), X, … */
  state: string;
  /** The process group. */
  pgrp: number;
  /** Clock ticks from boot to the process's start (field 22): tells a reused pid from its earlier owner. */
  start: string;
}

/** What Linux's /proc says of a process; undefined where there is no /proc (macOS) or no such process (gone, hidden from us). */
export async function processStat(pid: number): Promise<ProcessStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so fields are counted after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const [state, , pgrpText] = fields;
  const pgrp = Number(pgrpText);
  const start = fields[19];
  if (!state || !start || !Number.isInteger(pgrp)) return undefined;
  return { state, pgrp, start };
}

/** Exited: a zombie (not reaped; containers without an init reap nothing) or dead. */
export function hasExited(stat: ProcessStat): boolean {
  return stat.state === "Z" || stat.state === "X";
}
