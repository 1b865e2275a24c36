import { constants, openSync } from "node:fs";
import { mkdir, open, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { isDirectWritable } from "../../fs/aligned-buffer.js";
import { withFolderOnDemand } from "./folder-on-demand.js";
import { isMissing } from "./json-file.js";

/**
 * A file open for writes at given positions ("a" would make Linux ignore them), made when missing.
 * `likelyNew`: try to create it first (one system call instead of a failed open and a create).
 */
export async function openPositional(file: string, likelyNew = false): Promise<FileHandle> {
  if (likelyNew) {
    try {
      return await open(file, "wx+");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EEXIST" && code !== "ENOENT") throw error;
    }
  }
  try {
    return await open(file, "r+");
  } catch (error) {
    if (!isMissing(error)) throw error;
    await mkdir(path.dirname(file), { recursive: true });
    return open(file, "wx+").catch((raced: unknown) => {
      if ((raced as NodeJS.ErrnoException).code === "EEXIST") return open(file, "r+");
      throw raced;
    });
  }
}

/** The same, synchronously (for one small write; see json-file.ts): a file descriptor. */
export function openPositionalSync(file: string): number {
  return withFolderOnDemand(file, () => openSync(file, constants.O_RDWR | constants.O_CREAT, 0o644));
}

export async function writeFully(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written);
    written += bytesWritten;
  }
}

/**
 * The file (made already) opened once more, for writes that bypass the page cache (O_DIRECT);
 * undefined where that cannot be had: no O_DIRECT on this system, or a filesystem that refuses it.
 */
export async function openDirectForWrites(file: string): Promise<FileHandle | undefined> {
  if (constants.O_DIRECT === undefined) return undefined;
  try {
    return await open(file, constants.O_WRONLY | constants.O_DIRECT);
  } catch {
    return undefined;
  }
}

/**
 * `writeFully` through `direct` (from openDirectForWrites) when the buffer, position and length
 * allow it (see aligned-buffer.ts), else through `handle`. Answers whether `direct` is still worth
 * trying: false once the kernel refused it (EINVAL: a filesystem that takes O_DIRECT at open only,
 * a disk of larger blocks), the bytes then written through `handle` (again from their start: any
 * part the direct write took is written over with the same bytes).
 */
export async function writeFullyDirect(handle: FileHandle, direct: FileHandle | undefined, bytes: Buffer, position: number): Promise<boolean> {
  if (direct && isDirectWritable(bytes, position)) {
    try {
      await writeFully(direct, bytes, position);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EINVAL") throw error;
      await writeFully(handle, bytes, position);
      return false;
    }
  }
  await writeFully(handle, bytes, position);
  return direct !== undefined;
}
