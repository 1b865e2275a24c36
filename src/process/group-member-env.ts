import { readFile } from "node:fs/promises";
import { liveGroupMembers } from "./process-group-alive.js";

/**
 * Whether a live member of process group `pgid` has `name=value` in its environment (Linux's
 * /proc/<pid>/environ; false where there is no /proc, or the members cannot be read). Tells the
 * children a solver left behind (they inherit the runner's PHYSICSWORKS_* variables) from an
 * unrelated group that came to have the same id once the solver's leader was gone.
 */
export async function groupMemberHasEnv(pgid: number, name: string, value: string): Promise<boolean> {
  // Each variable ends with a NUL; one before the first makes every one "\0name=value\0".
  const wanted = Buffer.from(`\0${name}=${value}\0`);
  try {
    for await (const member of liveGroupMembers(pgid)) {
      const environ = await readFile(`/proc/${member}/environ`).catch(() => undefined);
      if (environ && Buffer.concat([Buffer.from([0]), environ]).includes(wanted)) return true;
    }
  } catch {
    // No /proc to list.
  }
  return false;
}
