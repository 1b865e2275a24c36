/**
 * Files below one folder (workDir, outputs/) and never outside it. A symlink is taken only when its real
 * path stays inside the root (inputs/<mesh> → raw/<mesh> is one the runner makes itself); a symlinked
 * folder is not descended into, so a link cycle cannot trap the walk. What is read is the real path, so
 * the check and the read name the same file short of a race the solver would have to stage on purpose.
 */
import type { Stats } from "node:fs";
import { lstat, opendir, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";

export interface FoundFile {
  /** Relative to the root, "/"-separated: the name it is known by (a symlink's own name). */
  path: string;
  /** What to read: the real path of the file. */
  source: string;
  size: number;
  mtime: Date;
  mode: number;
}

export type Lookup =
  | { kind: "file"; file: FoundFile }
  | { kind: "folder"; real: string }
  | { kind: "missing" }
  | { kind: "refused"; why: string };

export class InsideTree {
  private constructor(
    readonly root: string,
    private readonly realRoot: string,
  ) {}

  static async open(root: string): Promise<InsideTree> {
    return new InsideTree(root, await realpath(root));
  }

  /** Where a "/"-separated path below the root leads, symlinks resolved but never out of the root. */
  async lookup(path: string): Promise<Lookup> {
    let real: string;
    try {
      real = await realpath(join(this.root, ...path.split("/")));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === "ENOENT" || code === "ENOTDIR" ? { kind: "missing" } : { kind: "refused", why: (error as Error).message };
    }
    const inside = this.relativeInside(real);
    if (inside === undefined) return { kind: "refused", why: "it leads out of the folder through a symlink" };
    const info = await stat(real);
    if (info.isDirectory()) return { kind: "folder", real };
    if (info.isFile()) return { kind: "file", file: found(path, real, info) };
    return { kind: "refused", why: "it is not a regular file or a folder" };
  }

  /** The real path's "/"-separated path below the root, or undefined when it is outside. */
  relativeInside(real: string): string | undefined {
    const rel = relative(this.realRoot, real);
    if (rel === "") return "";
    if (rel === ".." || rel.startsWith(`..${sep}`) || rel.startsWith(sep)) return undefined;
    return rel.split(sep).join("/");
  }

  /**
   * Every file below `folder` (a real path inside the root) named `prefix/<sub path>`, folder by folder.
   * `skip` is asked about each folder and file by name and by real path (both below the root).
   * A file whose name `wanted` refuses is passed over before it is stat'ed (a walk for a few kinds
   * of file among thousands costs a folder listing, not a stat per file).
   */
  async *files(folder: string, prefix: string, skip: (path: string) => boolean, wanted?: (path: string) => boolean): AsyncGenerator<FoundFile> {
    const pending: { dir: string; name: string }[] = [{ dir: folder, name: prefix }];
    while (pending.length) {
      const { dir, name } = pending.pop() as { dir: string; name: string };
      let handle;
      try {
        handle = await opendir(dir);
      } catch {
        continue; // removed while we walked: nothing there to take
      }
      for await (const entry of handle) {
        const path = name === "" ? entry.name : `${name}/${entry.name}`;
        const full = join(dir, entry.name);
        if (skip(path)) continue;
        if (!entry.isDirectory() && wanted && !wanted(path)) continue;
        if (entry.isDirectory()) {
          if (!skip(this.relativeInside(full) ?? "")) pending.push({ dir: full, name: path });
        } else if (entry.isFile()) {
          const info = await lstat(full).catch(() => undefined);
          if (info?.isFile()) yield found(path, full, info);
        } else if (entry.isSymbolicLink()) {
          const target = await this.linkedFile(full, skip);
          if (target) yield found(path, target.real, target.info);
        }
      }
    }
  }

  private async linkedFile(link: string, skip: (path: string) => boolean): Promise<{ real: string; info: Stats } | undefined> {
    const real = await realpath(link).catch(() => undefined);
    if (real === undefined) return undefined; // dangling
    const inside = this.relativeInside(real);
    if (inside === undefined || skip(inside)) return undefined;
    const info = await stat(real).catch(() => undefined);
    return info?.isFile() ? { real, info } : undefined;
  }
}

function found(path: string, source: string, info: Stats): FoundFile {
  return { path, source, size: info.size, mtime: info.mtime, mode: info.mode };
}
