import { lstat, readlink } from "node:fs/promises";
import path from "node:path";
import { Refusal } from "./refusal.js";

// The kernel's own limit (Linux MAXSYMLINKS); past it a lookup fails with ELOOP anyway.
const MAX_SYMLINK_HOPS = 40;

export function isInside(root: string, candidate: string): boolean {
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return candidate === root || candidate.startsWith(prefix);
}

/**
 * Where `segments`, walked from the real folder `start`, lead on this file
 * system now: each existing symlink is followed as the kernel would follow it,
 * and the part from the first missing component on is taken literally. Lexical
 * normalisation alone is not enough: with `a -> .`, `a/../x` leaves the folder.
 */
export async function resolveReal(start: string, segments: readonly string[]): Promise<string> {
  return walk(start, segments, { left: MAX_SYMLINK_HOPS });
}

async function walk(start: string, segments: readonly string[], hops: { left: number }): Promise<string> {
  let current = start;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, segment);
    const stats = await lstat(next).catch(ignoreMissing);
    if (stats === undefined) return path.join(next, ...segments.slice(i + 1));
    if (!stats.isSymbolicLink()) {
      current = next;
      continue;
    }
    if (--hops.left < 0) throw new Refusal("a loop of symlinks");
    const text = await readlink(next);
    current = await walk(path.isAbsolute(text) ? path.parse(text).root : current, text.split(path.sep), hops);
  }
  return current;
}

function ignoreMissing(error: NodeJS.ErrnoException): undefined {
  if (error.code === "ENOENT" || error.code === "ENOTDIR") return undefined;
  throw error;
}
