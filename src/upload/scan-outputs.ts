import type { Stats } from "node:fs";
import { lstat, opendir, realpath, stat } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";

export interface ScannedFile {
  /** Relative to the scanned folder, "/"-separated. */
  path: string;
  size: number;
  mtimeMs: number;
}

export interface ScanOptions {
  /**
   * A symbolic link to a file is taken as that file when the file lies inside this folder (default:
   * the scanned folder's parent, the work directory of outputs/): a solver that links a result into
   * outputs/ has it sent. Links that lead out of it, to folders or nowhere are left out.
   */
  linksWithin?: string;
  /** Files and folders a link may not lead to (the run's config, which may hold the token; debug/). */
  linksNotInto?: readonly string[];
  /** Told of each link or special file left out, and why. */
  onSkipped?: (path: string, why: string) => void;
  /** Rules made already (in place of linksWithin and linksNotInto): a caller's own, for its sends too. */
  rules?: OutputRules;
}

/** Where an output's bytes are read from: the file itself, or the file its link leads to. */
export interface OutputSource {
  /** The path to open: a regular file, never a link. */
  file: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

/** Why an output is left out. */
export interface Refusal {
  why: string;
}

const SPECIAL = "a special file (a FIFO, socket or device: no end to read to)";

/**
 * The rules of what an output under outputs/ may be read as, the same for the final scan and for
 * the sends during the run: a regular file as itself; a link as the regular file it leads to when
 * that lies in the work directory and not in the run's config or debug/; nothing else (a link out,
 * a folder, a FIFO, which would block its reader for good, a socket, a device).
 */
export class OutputRules {
  private constructor(
    private readonly within: string | undefined,
    private readonly barred: readonly string[],
  ) {}

  static async of(root: string, options: Pick<ScanOptions, "linksWithin" | "linksNotInto"> = {}): Promise<OutputRules> {
    const within = await realpath(options.linksWithin ?? dirname(root)).catch(() => undefined);
    const barred = (await Promise.all((options.linksNotInto ?? []).map((p) => realpath(p).catch(() => undefined)))).filter((p): p is string => Boolean(p));
    return new OutputRules(within, barred);
  }

  /** What `full` may be read as, or why it may not; undefined when nothing is there (any more). */
  async source(full: string): Promise<OutputSource | Refusal | undefined> {
    const info = await lstat(full).catch(() => undefined);
    if (!info) return undefined;
    if (info.isFile()) return readFrom(full, info);
    if (info.isSymbolicLink()) return this.linked(full);
    if (info.isDirectory()) return { why: "a folder" };
    return { why: SPECIAL };
  }

  private async linked(link: string): Promise<OutputSource | Refusal> {
    const target = await realpath(link).catch(() => undefined);
    if (!target) return { why: "a link to nothing" };
    if (!this.within || !inside(target, this.within)) return { why: `a link out of the work directory (to ${target})` };
    if (this.barred.some((p) => inside(target, p))) return { why: `a link to the run's config or debug/ (to ${target}), which may hold the token` };
    const info = await stat(target).catch(() => undefined);
    if (!info) return { why: "a link to nothing" };
    if (!info.isFile()) return { why: "a link to a folder or a special file" };
    return readFrom(target, info);
  }
}

function readFrom(file: string, info: Stats): OutputSource {
  return { file, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
}

export function isRefusal(found: OutputSource | Refusal): found is Refusal {
  return "why" in found;
}

/** Every regular file below `root`, walked folder by folder (never a whole tree listing in memory at once). */
export async function* scanFiles(root: string, options: ScanOptions = {}): AsyncGenerator<ScannedFile> {
  const rules = options.rules ?? (await OutputRules.of(root, options));
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
      const path = () => relative(root, full).split(sep).join("/");
      // A link to a folder is not walked into (it could lead out, or round in a loop).
      if (entry.isDirectory()) {
        // Node reads a name that is not UTF-8 with U+FFFD in place of its bytes: no such folder then.
        if (entry.name.includes("\uFFFD")) options.onSkipped?.(path(), "a folder whose name is not valid UTF-8: nothing in it can be read or named to the platform; rename it");
        else pending.push(full);
        continue;
      }
      const found = await rules.source(full);
      if (!found) {
        // Node reads a name that is not UTF-8 with U+FFFD in place of its bytes: no such file then.
        if (entry.name.includes("\uFFFD")) options.onSkipped?.(path(), "its name is not valid UTF-8, so it cannot be read or named to the platform; rename it");
        continue; // else removed while we walked
      }
      if (isRefusal(found)) options.onSkipped?.(path(), found.why);
      else yield { path: path(), size: found.size, mtimeMs: found.mtimeMs };
    }
  }
}

function inside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder + sep);
}
