import { mkdirSync, renameSync } from "node:fs";
import path from "node:path";

/**
 * Renames `from` to `to`, making `to`'s folder when it is missing: on the first rename into it
 * only, one system call less on every later one than making it before each. Synchronous, like
 * the records (see json-file.ts): a rename is one short system call.
 */
export function renameIntoFolder(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(path.dirname(to), { recursive: true });
    renameSync(from, to);
  }
}
