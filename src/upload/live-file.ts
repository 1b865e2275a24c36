import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import type { UploadMetadata } from "../platform/types.js";
import { readPiece, textCut } from "./read-piece.js";
import type { TargetFailure, UploadTarget } from "./upload-target.js";

/** What has been appended of one live file (logs/, plots/, media/). */
export interface LiveFile {
  /** `<uuid>.<ext>`: the name the platform stores it under, fixed for the run. */
  storedName: string;
  isAscii: boolean;
  metadata: UploadMetadata;
  /** Bytes the platform has of this file. */
  offset: number;
  /** The first bytes sent, to notice a file rewritten in place with the same or a larger size. */
  head: Buffer;
  /** The last bytes sent (up to `offset`), for the same: a rewrite that kept the first ones. */
  tail: Buffer;
  /** The file as it was last read: a new inode is a new file; a new mtime at the same size, a rewrite (an append grows it). */
  seen?: { ino: number; size: number; mtimeMs: number };
  /** Set after a failed append: the platform may or may not have applied it, so start over. */
  restart: boolean;
  sentOnce: boolean;
}

const HEAD_BYTES = 256;
const TAIL_BYTES = 256;

/**
 * Appends what the file gained since the last send, in appends of at most `maxAppend` bytes; a text
 * append ends at a line end where there is one. A shrunk, replaced or rewritten file is sent again
 * from its start with isNew: another inode; or another mtime at the same size; or first or last
 * bytes sent that are no longer there. Returns the bytes sent, the file's mtime as it was read, and
 * whether any append was made (none when the file has nothing new).
 * `final` (the final pass, the solver has ended): the file is complete, so a text file's last
 * bytes go too, even when they do not end a character (a binary file under plots/, a log cut
 * mid-character). `absPath` must be a regular file (see OutputRules); anything else is refused
 * without blocking (a FIFO would block its reader until a writer came).
 */
export async function sendLiveGrowth(
  target: UploadTarget,
  file: LiveFile,
  absPath: string,
  maxAppend: number,
  final = false,
): Promise<{ sent: number; mtimeMs: number; appended: boolean }> {
  const handle = await open(absPath, constants.O_RDONLY | constants.O_NONBLOCK);
  let sent = 0;
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Error(`${absPath} is not a regular file (a FIFO, socket or device): not read`);
    const { size, mtimeMs, ino } = info;
    if (file.offset > 0 && !file.restart && (await rewritten(handle, file, { size, mtimeMs, ino }))) file.restart = true;
    file.seen = { size, mtimeMs, ino };
    if (file.restart) {
      file.offset = 0;
      file.head = Buffer.alloc(0);
      file.tail = Buffer.alloc(0);
    }
    const isNew = () => file.offset === 0;
    if (size === 0 && (!file.sentOnce || file.restart)) {
      // An empty live file is created with one empty append.
      await append(target, file, Buffer.alloc(0), true);
      return { sent: 0, mtimeMs, appended: true };
    }
    while (file.offset < size) {
      const piece = await readPiece(handle, file.offset, Math.min(maxAppend, size - file.offset));
      if (piece.length === 0) break;
      const last = file.offset + piece.length >= size;
      const cut = file.isAscii && !(final && last) ? textCut(piece) : piece.length;
      if (cut === 0) break;
      const bytes = piece.subarray(0, cut);
      await append(target, file, bytes, isNew());
      if (file.head.length < HEAD_BYTES && file.offset < HEAD_BYTES) {
        file.head = Buffer.concat([file.head, bytes.subarray(0, HEAD_BYTES - file.head.length)]);
      }
      file.tail = Buffer.concat([file.tail, bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES))]).subarray(-TAIL_BYTES);
      file.offset += cut;
      sent += cut;
    }
    return { sent, mtimeMs, appended: sent > 0 };
  } finally {
    await handle.close();
  }
}

/** Whether what was sent of the file is no longer what the file holds (see sendLiveGrowth). */
async function rewritten(handle: FileHandle, file: LiveFile, now: { size: number; mtimeMs: number; ino: number }): Promise<boolean> {
  const { seen } = file;
  if (seen && (seen.ino !== now.ino || (seen.size === now.size && seen.mtimeMs !== now.mtimeMs))) return true;
  if (now.size < file.offset) return true;
  const head = await readPiece(handle, 0, file.head.length);
  if (!head.equals(file.head)) return true;
  const tail = await readPiece(handle, file.offset - file.tail.length, file.tail.length);
  return !tail.equals(file.tail);
}

/**
 * The platform refused an append (too large, a bad request): nothing was applied and sending it
 * again would be refused again, so it fails at once (protocol.md part 2 #10), without a restart
 * from the file's start. The target marks such an error (TargetFailure).
 */
export function refusedAppend(error: unknown): boolean {
  return (error as TargetFailure | null)?.refused === true;
}

async function append(target: UploadTarget, file: LiveFile, bytes: Buffer, isNew: boolean): Promise<void> {
  try {
    await target.appendFile({ filename: file.storedName, bytes, isNew, metadata: file.metadata, isAscii: file.isAscii });
  } catch (error) {
    // Any other failure may or may not have been applied: the file is sent again from its start.
    if (!refusedAppend(error)) file.restart = true;
    throw error;
  }
  file.restart = false;
  file.sentOnce = true;
}
