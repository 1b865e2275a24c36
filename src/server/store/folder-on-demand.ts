import { mkdir } from "node:fs/promises";
import path from "node:path";

/**
 * Runs `write`, which puts something at `target`; when it fails because `target`'s folder is
 * missing, makes the folder and runs it once more. The folder is made on the first write only:
 * one system call less on every later one than making it before each.
 */
export async function withFolderOnDemand<T>(target: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await mkdir(path.dirname(target), { recursive: true });
    return write();
  }
}
