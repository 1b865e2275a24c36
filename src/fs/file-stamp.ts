import type { Stats } from "node:fs";
import { stat } from "node:fs/promises";

/** What changes whenever a file's bytes do, or it is replaced, whatever the clocks: a copy, a rename, a touch. */
export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** The file's stamp; null when nothing is there. */
export async function fileStamp(path: string): Promise<FileStamp | null> {
  const found = await stat(path).catch(() => undefined);
  return found ? stampOf(found) : null;
}

/** The stamp of a stat the caller has already taken. */
export function stampOf(stats: Stats): FileStamp {
  return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
}

/** The same file, untouched between the two stamps (the ctime moves with every write, rename or utime). */
export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}
