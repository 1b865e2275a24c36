import { lstat, opendir } from "node:fs/promises";
import { join, relative, sep } from "node:path";

export interface ScannedFile {
  /** Relative to the scanned folder, "/"-separated. */
  path: string;
  size: number;
  mtimeMs: number;
}

/** Every regular file below `root`, walked folder by folder (never a whole tree listing in memory at once). */
export async function* scanFiles(root: string): AsyncGenerator<ScannedFile> {
  const pending = [root];
  while (pending.length) {
    const dir = pending.pop() as string;
    let handle;
    try {
      handle = await opendir(dir);
    } catch {
      continue; // removed while we walked: nothing to report
    }
    for await (const entry of handle) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) {
        const info = await lstat(full).catch(() => undefined);
        if (info) yield { path: relative(root, full).split(sep).join("/"), size: info.size, mtimeMs: info.mtimeMs };
      }
    }
  }
}
