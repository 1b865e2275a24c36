import { stat } from "node:fs/promises";

/** Whether something is at `path` (a file, a folder, anything stat can see). */
export async function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Whether `path` is a folder (links followed); false when nothing is there or it cannot be seen. */
export async function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
