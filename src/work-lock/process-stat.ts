import { readFile } from "node:fs/promises";

export interface ProcessStat {
  /** Clock ticks from boot to the process's start (field 22 of /proc/<pid>/stat). */
  start: string;
  /** Exited but not reaped: as good as gone (containers without an init reap nothing). */
  zombie: boolean;
}

/** What Linux's /proc says of a process; undefined where there is no /proc (macOS) or no such process. */
export async function processStat(pid: number): Promise<ProcessStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const start = fields[19];
  if (!start) return undefined;
  return { start, zombie: fields[0] === "Z" };
}
