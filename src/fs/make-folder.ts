import { mkdir } from "node:fs/promises";

/**
 * `mkdir -p path`. A folder the user's path keeps from being made (a file in the way, no
 * permission) is their error, not the runner's: the failure becomes the error `fail` makes of its
 * code (EEXIST, ENOTDIR, EACCES…), naming the flag or field the path came from.
 */
export async function makeFolder(path: string, fail: (code: string, cause: unknown) => Error): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw fail((error as NodeJS.ErrnoException).code ?? String(error), error);
  }
}
