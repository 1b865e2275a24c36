import { readdir, readFile } from "node:fs/promises";
import { hasExited, processStat } from "./process-stat.js";

/**
 * Whether a live member of process group `pgid` has `name=value` in its environment (Linux's
 * /proc/<pid>/environ; false where there is no /proc, or the members cannot be read). Tells the
 * children a solver left behind (they inherit the runner's PHYSICSWORKS_* variables) from an
 * unrelated group that came to have the same id once the solver's leader was gone.
 */
export async function groupMemberHasEnv(pgid: number, name: string, value: string): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return false;
  }
  // Each variable ends with a NUL; one before the first makes every one "\0name=value\0".
  const wanted = Buffer.from(`\0${name}=${value}\0`);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await processStat(Number(entry));
    if (!stat || stat.pgrp !== pgid || hasExited(stat)) continue;
    const environ = await readFile(`/proc/${entry}/environ`).catch(() => undefined);
    if (environ && Buffer.concat([Buffer.from([0]), environ]).includes(wanted)) return true;
  }
  return false;
}
