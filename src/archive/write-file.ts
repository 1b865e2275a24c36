import { constants } from "node:fs";
import { lstat, open, rm, unlink } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { Refusal } from "./refusal.js";

// O_EXCL|O_NOFOLLOW: the file is always new, so no symlink or hard link that
// happened to sit at this name can carry the write somewhere else.
const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * Streams `content` into a new file at `dest` (whose folder is already checked)
 * and returns the bytes written. `count` sees every chunk before it is written
 * and may throw to stop; on any failure the partial file is removed.
 */
export async function writeNewFile(
  dest: string,
  mode: number,
  content: AsyncIterable<Buffer>,
  count: (bytes: number) => void,
): Promise<number> {
  await clearForFile(dest);
  const handle = await open(dest, NEW_FILE, mode);
  let written = 0;
  try {
    await pipeline(
      content,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          count(chunk.length);
          written += chunk.length;
          yield chunk;
        }
      },
      // Reads come in 16 KiB pieces; a larger buffer lets the stream write them in batches (writev).
      handle.createWriteStream({ highWaterMark: 1024 * 1024 }),
    );
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(dest, { force: true });
    throw error;
  }
  return written;
}

/** A later entry of the same name wins, as with tar; a folder is never replaced. */
export async function clearForFile(dest: string): Promise<void> {
  const stats = await lstat(dest).catch(() => undefined);
  if (stats === undefined) return;
  if (stats.isDirectory()) throw new Refusal("a folder of that name is already there");
  await unlink(dest);
}
