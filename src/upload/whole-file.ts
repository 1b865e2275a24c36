import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { open, stat } from "node:fs/promises";
import type { UploadMetadata } from "../platform/types.js";
import { FileRangeBody } from "../fs/file-range-body.js";
import { fileSha256 } from "../fs/file-sha256.js";
import { readBuffer } from "../fs/read-buffer.js";
import { readPiece } from "./read-piece.js";
import type { UploadTarget } from "./upload-target.js";

export interface WholeFileOptions {
  /** The file's size as the caller has just seen it (one stat less); read from the file when not given. */
  size?: number;
  storedName: string;
  metadata: UploadMetadata;
  /** v2 resumable uploads when the platform offers them, else v1 chunks. */
  useV2: boolean;
  chunkSize: number;
  onBytes?: (bytes: number) => void;
  /** v1: the chunks before this one are on the platform already (resume after a restart). */
  startChunk?: number;
  /** Told how far the platform has the file, after each chunk or PATCH (for the resume journal). */
  onOffset?: (offset: number, uploadId?: string) => void;
  /** Told when an upload continues from bytes the platform already had. */
  onResume?: (offset: number) => void;
}

/** Sends a whole file, read piece by piece (memory does not grow with its size); returns its size and sha256. */
export async function uploadWholeFile(target: UploadTarget, absPath: string, options: WholeFileOptions): Promise<{ size: number; sha256: string }> {
  return options.useV2 ? uploadV2(target, absPath, options) : uploadV1(target, absPath, options);
}

/** v1 chunks of one file in flight at once (the platform takes them in any order); memory is this × the chunk size. */
const V1_IN_FLIGHT = 3;

async function uploadV1(target: UploadTarget, absPath: string, options: WholeFileOptions): Promise<{ size: number; sha256: string }> {
  const size = options.size ?? (await stat(absPath)).size;
  const hash = createHash("sha256");
  const handle = await open(absPath, "r");
  // An empty file is one empty chunk; never an extra empty chunk after the last full one.
  const chunks = Math.max(1, Math.ceil(size / options.chunkSize));
  const start = Math.min(options.startChunk ?? 0, chunks - 1);
  const inFlight = new Set<Promise<void>>();
  const acknowledged = new Set<number>();
  // The buffers of settled chunks, read into again: fresh memory costs its page faults on every
  // chunk (as much as the chunk's encoding on the VMs measured). A target has the bytes only
  // until its call settles (UploadTarget).
  const spare: Buffer[] = [];
  // Every chunk below this one is on the platform: the journal's offset never runs ahead of a gap.
  let below = start;
  let failure: { error: unknown } | undefined;
  try {
    if (start > 0) options.onResume?.(start * options.chunkSize);
    for (let index = 0; index < chunks && !failure; index++) {
      // Read just before it is sent (and hashed in order), so at most V1_IN_FLIGHT chunks are held.
      const buffer = spare.pop() ?? readBuffer(Math.min(options.chunkSize, size));
      const bytes = await readPiece(handle, index * options.chunkSize, Math.min(options.chunkSize, size - index * options.chunkSize), buffer);
      hash.update(bytes);
      // Chunks the platform has from before a restart are read for the digest only.
      if (index < start) {
        spare.push(buffer);
        continue;
      }
      const length = bytes.length;
      const sent: Promise<void> = target
        .uploadChunk({ filename: options.storedName, fileSize: size, chunkIndex: index, bytes, metadata: options.metadata })
        .then(
          () => {
            options.onBytes?.(length);
            acknowledged.add(index);
            const before = below;
            while (acknowledged.delete(below)) below++;
            if (below > before) options.onOffset?.(Math.min(size, below * options.chunkSize));
          },
          (error: unknown) => {
            failure ??= { error };
          },
        )
        .finally(() => {
          inFlight.delete(sent);
          spare.push(buffer);
        });
      inFlight.add(sent);
      if (inFlight.size >= V1_IN_FLIGHT) await Promise.race(inFlight);
    }
  } finally {
    // Never leave a send running past this call, even when a read failed.
    await Promise.all(inFlight);
    await handle.close();
  }
  if (failure) throw failure.error;
  return { size, sha256: hash.digest("hex") };
}

/** A file up to this size is read once, as one piece, for both its digest and its PATCH body. */
const ONE_PIECE_BYTES = 1024 * 1024;

async function uploadV2(target: UploadTarget, absPath: string, options: WholeFileOptions): Promise<{ size: number; sha256: string }> {
  const size = options.size ?? (await stat(absPath)).size;
  // A small file is one bounded piece: read once, hashed from memory, sent from memory (and sent
  // again as is on a retry), instead of a read for the digest and a stream for the body.
  const piece = size <= ONE_PIECE_BYTES ? readFilePiece(absPath, size) : undefined;
  // Of `size` bytes exactly: a file growing meanwhile must not be opened with another length's digest.
  const sha256 = piece ? createHash("sha256").update(piece).digest("hex") : await fileSha256(absPath, size);
  // The same file with the same digest is the same upload: after a restart the platform answers its offset.
  let { uploadId, offset } = await target.openUpload({ filename: options.storedName, size, sha256, metadata: options.metadata });
  options.onBytes?.(offset);
  options.onOffset?.(offset, uploadId);
  if (offset > 0) options.onResume?.(offset);
  while (offset < size) {
    const from = offset;
    try {
      const body = piece ? piece.subarray(from) : () => new FileRangeBody(absPath, from, size);
      ({ offset } = await target.sendUploadBytes(uploadId, from, body, size - from));
    } catch (error) {
      const held = conflictOffset(error);
      if (held === undefined) throw error;
      offset = held;
    }
    options.onBytes?.(offset - from);
    options.onOffset?.(offset, uploadId);
  }
  await target.completeUpload(uploadId);
  return { size, sha256 };
}

/** A 409 of v2 carries the offset the platform holds: resume from there. */
function conflictOffset(error: unknown): number | undefined {
  const e = error as { status?: unknown; offset?: unknown };
  return e && e.status === 409 && typeof e.offset === "number" ? e.offset : undefined;
}

/**
 * The file's `size` bytes (at most ONE_PIECE_BYTES); a file that is no longer that long fails (it
 * changed under the upload). Read synchronously: three short system calls, where three trips to
 * libuv's thread pool cost about 0.4 ms of CPU a file on the machines measured, the most of any
 * step for a run of thousands of small outputs (scripts/bench/many-files.ts).
 */
function readFilePiece(absPath: string, size: number): Buffer {
  const fd = openSync(absPath, "r");
  try {
    const piece = readBuffer(size);
    let filled = 0;
    while (filled < size) {
      const read = readSync(fd, piece, filled, size - filled, filled);
      if (read === 0) throw new Error(`${absPath} shrank from ${size} to ${filled} bytes while it was being sent`);
      filled += read;
    }
    return piece;
  } finally {
    closeSync(fd);
  }
}
