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
  /** Told of each link left out, and why. */
  onSkipped?: (path: string, why: string) => void;
}

/** Every regular file below `root`, walked folder by folder (never a whole tree listing in memory at once). */
export async function* scanFiles(root: string, options: ScanOptions = {}): AsyncGenerator<ScannedFile> {
  const within = await realpath(options.linksWithin ?? dirname(root)).catch(() => undefined);
  const barred = (await Promise.all((options.linksNotInto ?? []).map((p) => realpath(p).catch(() => undefined)))).filter((p): p is string => Boolean(p));
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
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) {
        const info = await lstat(full).catch(() => undefined);
        if (info) yield { path: path(), size: info.size, mtimeMs: info.mtimeMs };
      } else if (entry.isSymbolicLink()) {
        const linked = await linkedFile(full, within, barred);
        if ("why" in linked) options.onSkipped?.(path(), linked.why);
        else yield { path: path(), ...linked };
      }
    }
  }
}

async function linkedFile(link: string, within: string | undefined, barred: readonly string[]): Promise<{ size: number; mtimeMs: number } | { why: string }> {
  const target = await realpath(link).catch(() => undefined);
  if (!target) return { why: "a link to nothing" };
  if (!within || !inside(target, within)) return { why: `a link out of the work directory (to ${target})` };
  if (barred.some((p) => inside(target, p))) return { why: `a link to the run's config or debug/ (to ${target}), which may hold the token` };
  const info = await stat(target).catch(() => undefined);
  if (!info) return { why: "a link to nothing" };
  if (!info.isFile()) return { why: "a link to a folder or a special file" };
  return { size: info.size, mtimeMs: info.mtimeMs };
}

function inside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder + sep);
}
