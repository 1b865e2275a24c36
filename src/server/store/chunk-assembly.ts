import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { rm, type FileHandle } from "node:fs/promises";
import { isDirectWritable } from "../../fs/aligned-buffer.js";
import { CHUNK_SIZE, type UploadMetadata } from "../../platform/types.js";
import { badRequest } from "../http/http-error.js";
import type { ServerContext } from "../server-context.js";
import { fileRecordsOf, writeFileRecord } from "./file-records.js";
import { renameIntoFolder } from "./folder-on-demand.js";
import { readJsonFile, writeJsonAtomic } from "./json-file.js";
import { openDirectForWrites, openPositional, writeFullyDirect } from "./positional-file.js";

/** The chunks of one file received so far (chunk index → size), kept next to its part file. */
interface ChunkRecord {
  /** Which upload under this name the chunks are of (made when one starts; absent in records of older servers). */
  upload?: string;
  fileSize: number;
  count: number;
  received: Record<string, number>;
  complete: boolean;
}

export interface ChunkProgress {
  received: number;
  count: number;
  complete: boolean;
}

/** `ceil(size / 5 MiB)` chunks; an empty file is one empty chunk. */
export function chunkCount(fileSize: number): number {
  return Math.max(1, Math.ceil(fileSize / CHUNK_SIZE));
}

/**
 * Writes one chunk at `chunkIndex * 5 MiB` of the file's part file, in any order. When every chunk
 * is there and their sizes add up to `fileSize`, the part file becomes the stored file. A chunk sent
 * again after that (a retry whose answer was lost) is written in place into the stored file.
 *
 * The file's lock is held twice, briefly: to pick the file the chunk goes to and open it (so a
 * rename or a restart of the upload meanwhile cannot send the bytes elsewhere), and, once they are
 * written, to record them. Chunks of other indices write side by side: under the file's lock,
 * each chunk's write waited for the one before it, and for the event loop between, which made the
 * disk a queue of one (scripts/bench/upload.ts: about half a 1 GiB v1 upload's time was chunks
 * waiting there). Chunks of one index still go one at a time, in the order they came.
 */
export async function storeChunk(
  ctx: ServerContext,
  runId: string,
  filename: string,
  fileSize: number,
  chunkIndex: number,
  bytes: Buffer,
  metadata: UploadMetadata,
): Promise<ChunkProgress> {
  const count = chunkCount(fileSize);
  if (chunkIndex >= count) {
    throw badRequest(`storage/chunks: "chunkIndex" ${chunkIndex} is past the last chunk (${count - 1}) of a ${fileSize}-byte file`);
  }
  const expected = Math.min(CHUNK_SIZE, fileSize - chunkIndex * CHUNK_SIZE);
  if (bytes.length !== expected) {
    throw badRequest(`storage/chunks: chunk ${chunkIndex} of a ${fileSize}-byte file must hold ${expected} bytes (got ${bytes.length})`);
  }
  const part = ctx.paths.chunkPart(runId, filename);
  const recordFile = ctx.paths.chunkRecord(runId, filename);
  const stored = ctx.paths.storedFile(runId, filename);
  const key = `file:${runId}/${filename}`;
  const position = chunkIndex * CHUNK_SIZE;
  // One store at a time per chunk index, in the order they came, from the first step to the last:
  // a write the client gave up on (its try timed out) never lands after a later one's bytes.
  // Taken before the file's lock, never inside it.
  return ctx.locks.run(`${key}#${chunkIndex}`, async () => {
    const { upload, had, file } = await ctx.locks.run(key, async () => {
      let record = await readJsonFile<ChunkRecord>(recordFile);
      // Another file under the same name, or chunks recorded whose part file is gone (a server
      // that crashed between the rename and the record, before records were saved complete
      // first): start over. A new part file of a few chunks must never be renamed over the file.
      const lost = record && !record.complete && Object.keys(record.received).length > 0 && !existsSync(part);
      if (record && (record.fileSize !== fileSize || lost)) {
        await rm(part, { force: true });
        record = undefined;
      }
      if (!record) {
        // Written now, so chunks written side by side agree on which upload they belong to.
        record = { upload: randomUUID(), fileSize, count, received: {}, complete: false };
        await writeJsonAtomic(recordFile, record);
      }
      if (record.complete) await finishCompletion(ctx, runId, filename, part, stored, metadata, false);
      const had = Object.keys(record.received).filter((index) => index !== String(chunkIndex)).length;
      return { upload: record.upload, had, file: await openForChunk(record.complete ? stored : part, bytes, position) };
    });
    try {
      await writeFullyDirect(file.handle, file.direct, bytes, position);
    } finally {
      try {
        await file.direct?.close();
      } finally {
        await file.handle.close();
      }
    }
    return ctx.locks.run(key, async () => {
      const record = await readJsonFile<ChunkRecord>(recordFile);
      // Started over by chunks of another size while the bytes were written: they went to the file
      // that start removed, with the upload they belong to, as if this chunk had been stored just
      // before it (what it was, by arrival). Answered as that upload stood.
      if (!record || record.upload !== upload) return { received: had + 1, count, complete: false };
      record.received[String(chunkIndex)] = bytes.length;
      const sizes = Object.values(record.received);
      const completes = !record.complete && sizes.length === count && sizes.reduce((sum, size) => sum + size, 0) === fileSize;
      if (completes) record.complete = true;
      // Saved complete before the rename: a crash between them leaves a record the next chunk
      // finishes from (a record left incomplete would start a new, empty part file and rename it over this one).
      await writeJsonAtomic(recordFile, record);
      if (completes) await finishCompletion(ctx, runId, filename, part, stored, metadata, true);
      return { received: sizes.length, count, complete: record.complete };
    });
  });
}

/**
 * The part file of a complete record becomes the stored file (unless that is done already), and
 * the stored file is recorded as the output it is: always when the file has just completed (the
 * latest upload's record), else only when it has none. So after a crash between the record and
 * either step, the next chunk of the file finishes them.
 */
async function finishCompletion(
  ctx: ServerContext,
  runId: string,
  filename: string,
  part: string,
  stored: string,
  metadata: UploadMetadata,
  justCompleted: boolean,
): Promise<void> {
  if (existsSync(part)) renameIntoFolder(part, stored);
  if (justCompleted || !fileRecordsOf(ctx, runId).get(filename)) await writeFileRecord(ctx, runId, filename, "chunks", metadata);
}

/** Chunks of this size or more go to disk past the page cache when they can (see body-writer.ts for why). */
const DIRECT_FROM_BYTES = 1024 * 1024;

/**
 * The file a chunk goes to, open for it: a whole chunk (5 MiB, at a multiple of 5 MiB, decoded
 * into a buffer on a page boundary by the form codec) is written with O_DIRECT where the
 * filesystem allows it; a last, shorter chunk, or one in a buffer placed elsewhere, through the
 * page cache.
 */
async function openForChunk(file: string, bytes: Buffer, position: number): Promise<{ handle: FileHandle; direct?: FileHandle }> {
  const handle = await openPositional(file);
  try {
    if (bytes.length >= DIRECT_FROM_BYTES && isDirectWritable(bytes, position)) {
      const direct = await openDirectForWrites(file);
      if (direct) return { handle, direct };
    }
    return { handle };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
