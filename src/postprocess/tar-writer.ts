/**
 * Writes a .tar.gz of files below one folder with node-tar's Pack, streaming to disk. Not `tar.c()`: it
 * reads a name starting with "@" as another archive to splice in, and a solver may well write "@t0.vtp".
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { Pack } from "tar";

/** `files` are relative to `cwd`, "/"-separated, each a regular file or a symlink to one inside `cwd`. */
export async function writeTarGz(cwd: string, files: readonly string[], dest: string): Promise<void> {
  // follow: the names were checked to be regular files or links that stay inside cwd; a link entry
  // would leave the viewer a name pointing nowhere. portable: no user names or uids from the node.
  const pack = new Pack({ cwd, gzip: true, portable: true, follow: true, noDirRecurse: true, strict: true });
  const out = createWriteStream(dest);
  const failed = new Promise<never>((_, reject) => {
    pack.on("error", reject);
    out.on("error", reject);
  });
  failed.catch(() => undefined);
  pack.pipe(out);
  for (const file of files) pack.add(file);
  pack.end();
  try {
    await Promise.race([once(out, "close"), failed]);
  } catch (error) {
    out.destroy();
    throw error;
  }
}
