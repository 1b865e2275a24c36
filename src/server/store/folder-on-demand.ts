import { mkdirSync, renameSync } from "node:fs";
import path from "node:path";

/**
 * Runs `write`, which puts something at `target`; when it fails because `target`'s folder is
 * missing, makes the folder and runs it once more. The folder is made on the first write only:
 * one system call less on every later one than making it before each. Synchronous, like the
 * records (see json-file.ts): each write is one or two short system calls.
 */
export function withFolderOnDemand<T>(target: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(path.dirname(target), { recursive: true });
    return write();
  }
}

/** Renames `from` to `to`, making `to`'s folder when it is missing. */
export function renameIntoFolder(from: string, to: string): void {
  withFolderOnDemand(to, () => renameSync(from, to));
}
