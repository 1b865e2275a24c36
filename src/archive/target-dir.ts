import { lstat, mkdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { Refusal } from "./refusal.js";
import { isInside, resolveReal } from "./resolve-real.js";

/**
 * The folder an archive is unpacked into. Every folder an entry needs is
 * reached through `folder()`, which creates what is missing and refuses to
 * pass through a symlink that leads out, whether the archive made it or it was
 * there before.
 */
export class TargetDir {
  // Real folders already checked in this run. Only real directories are kept:
  // the writer never replaces a directory, so they cannot turn into symlinks.
  private readonly checked = new Map<string, string>();

  private constructor(readonly root: string) {}

  static async open(dir: string): Promise<TargetDir> {
    await mkdir(dir, { recursive: true });
    return new TargetDir(await realpath(dir));
  }

  /** The real path of the folder `segments` below the root, created as needed. */
  async folder(segments: readonly string[], mode?: number): Promise<string> {
    let current = this.root;
    for (let i = 0; i < segments.length; i++) {
      const key = segments.slice(0, i + 1).join("/");
      const known = this.checked.get(key);
      if (known !== undefined) {
        current = known;
        continue;
      }
      const next = path.join(current, segments[i]!);
      const isLast = i === segments.length - 1;
      current = await this.step(next, key, isLast ? mode : undefined);
    }
    // The walk above already resolved every symlink; this asks the kernel to agree.
    const real = await realpath(current);
    if (!isInside(this.root, real)) throw new Refusal(`its folder resolves to ${real}, outside the target folder`);
    return real;
  }

  private async step(next: string, key: string, mode: number | undefined): Promise<string> {
    let stats = await lstat(next).catch(() => undefined);
    if (stats === undefined) {
      await mkdir(next, { mode: mode ?? 0o755 }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "EEXIST") throw error;
      });
      stats = await lstat(next);
    }
    if (stats.isDirectory()) {
      this.checked.set(key, next);
      return next;
    }
    if (!stats.isSymbolicLink()) throw new Refusal(`"${key}" exists and is not a folder`);
    const real = await resolveReal(path.dirname(next), [path.basename(next)]);
    if (!isInside(this.root, real)) throw new Refusal(`"${key}" is a symlink that leads out of the target folder (to ${real})`);
    const target = await stat(real).catch(() => undefined);
    if (!target?.isDirectory()) throw new Refusal(`"${key}" is a symlink to ${real}, which is not a folder`);
    return real;
  }
}
