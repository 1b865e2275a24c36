import { mkdir, rename } from "node:fs/promises";
import path from "node:path";

/** Renames `from` to `to`, making `to`'s folder only when the rename says it is missing (once per folder, not per file). */
export async function renameMakingFolder(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await mkdir(path.dirname(to), { recursive: true });
    await rename(from, to);
  }
}
