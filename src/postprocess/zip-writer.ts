/**
 * Writes a zip with yazl, streaming: one source file open at a time, bytes flowing through deflate
 * straight to disk, so memory does not grow with file size (protocol.md part 2, item 8).
 */
import { constants, createWriteStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { ZipFile } from "yazl";

export interface ZipSource {
  /** The entry name: relative, "/"-separated. */
  name: string;
  /** The file to read. */
  source: string;
  mtime: Date;
  mode: number;
}

/** Recorded as a regular file, whatever the source was: unzip tools read the type from these bits. */
const S_IFREG = 0o100000;

/** Deflating what is already compressed costs time and gains nothing: stored as is. */
const STORED = /\.(zip|gz|tgz|bz2|xz|zst|7z|rar|png|jpe?g|gif|webp|mp4|webm|mkv|mov|avi|h5|hdf5|nc)$/i;

export interface WriteZipOptions {
  signal?: AbortSignal;
  /** zlib's 1 (fast) to 9 (small); default 6. Deflate runs near 70 MB/s at 6 on one core: 1 is the choice for many GB. */
  compressionLevel?: number;
}

/** Returns the zip's size in bytes. Throws on the first unreadable file; `dest` is then incomplete. */
export async function writeZip(files: readonly ZipSource[], dest: string, options: WriteZipOptions = {}): Promise<number> {
  const { signal, compressionLevel = 6 } = options;
  const zip = new ZipFile();
  // yazl does not watch the streams handed to it lazily: a read error is ours to pass on.
  const failed = new Promise<never>((_, reject) => zip.on("error", reject));
  failed.catch(() => undefined);
  for (const file of files) {
    const entry = { mtime: file.mtime, mode: S_IFREG | (file.mode & 0o7777), compressionLevel: STORED.test(file.name) ? 0 : compressionLevel };
    zip.addReadStreamLazy(file.name, entry, (done) => {
      // O_NOFOLLOW: the source was checked to be a regular file inside workDir; a symlink put there since is refused.
      open(file.source, constants.O_RDONLY | constants.O_NOFOLLOW).then(
        (handle) => {
          const stream = handle.createReadStream();
          stream.once("error", (error) => zip.emit("error", named(file.name, error)));
          done(null, stream);
        },
        (error: Error) => done(named(file.name, error), undefined as never),
      );
    });
  }
  zip.end();
  const writing = pipeline(zip.outputStream, createWriteStream(dest), signal ? { signal } : {});
  try {
    await Promise.race([writing, failed]);
  } catch (error) {
    (zip.outputStream as unknown as { destroy(): void }).destroy();
    await writing.catch(() => undefined);
    throw error;
  }
  return (await stat(dest)).size;
}

function named(name: string, error: Error): Error {
  return new Error(`${name}: ${error.message}`, { cause: error });
}
