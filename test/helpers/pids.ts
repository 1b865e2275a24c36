import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";

/**
 * Whether a process still runs. A zombie counts as gone: in this sandbox (as in a container without
 * an init) nothing reaps orphans, so a killed grandchild stays a zombie and kill(pid, 0) still succeeds.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads the pids a fixture solver wrote (atomically) to PIDS_FILE, once it exists. */
export function readPids(file: string, timeoutMs = 15_000): Promise<Record<string, number>> {
  return waitFor(
    async () => {
      try {
        return JSON.parse(await readFile(file, "utf8")) as Record<string, number>;
      } catch {
        return undefined;
      }
    },
    timeoutMs,
    `pids in ${file}`,
  );
}
