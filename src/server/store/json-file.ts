import { randomUUID } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { withFolderOnDemand } from "./folder-on-demand.js";

/*
 * The server's records are small JSON files and JSON-lines tables, read and written synchronously:
 * each is a few system calls of tens of microseconds, and handing each to libuv's thread pool and
 * back cost more CPU than the call itself (scripts/bench/many-files.ts). Making a new file is the
 * dearest of them (0.25 to 0.5 ms of kernel time on the machines measured), so records written for
 * every upload live in tables (json-lines-table.ts), not in a file each. Bodies and stored files,
 * whose size has no bound, stay asynchronous.
 */

/** Written to a temporary file and renamed over the target: a reader never sees half a file. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  writeTextAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

export function writeTextAtomic(file: string, text: string): void {
  const temp = `${file}.${randomUUID()}.tmp`;
  try {
    withFolderOnDemand(temp, () => writeFileSync(temp, text));
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** The parsed file, or undefined when it does not exist. Only for files the server wrote itself. */
export async function readJsonFile<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  return JSON.parse(text) as T;
}

export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}
