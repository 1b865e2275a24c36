import { randomUUID } from "node:crypto";
import { rm, type FileHandle } from "node:fs/promises";
import { isDirectWritable } from "../../fs/aligned-buffer.js";
import { CHUNK_SIZE, type UploadMetadata } from "../../platform/types.js";
import { badRequest, HttpError } from "../http/http-error.js";
import type { ServerContext } from "../server-context.js";
import { writeFileRecord } from "./file-records.js";
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
 * written, to record them. The writes themselves run side by side: under the lock, each chunk's
 * write waited for the one before it, and for the event loop between, which made the disk a queue
 * of one (scripts/bench/upload.ts: about half a 1 GiB v1 upload's time was chunks waiting there).
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
  for (let tries = 1; ; tries++) {
    const { upload, file } = await ctx.locks.run(key, async () => {
      let record = await readJsonFile<ChunkRecord>(recordFile);
      if (record && record.fileSize !== fileSize) {
        // Another file under the same name: start over.
        await rm(part, { force: true });
        record = undefined;
      }
      if (!record) {
        // Written now, so chunks written side by side agree on which upload they belong to.
        record = { upload: randomUUID(), fileSize, count, received: {}, complete: false };
        await writeJsonAtomic(recordFile, record);
      }
      return { upload: record.upload, file: await openForChunk(record.complete ? stored : part, bytes, position) };
    });
    try {
      await writeFullyDirect(file.handle, file.direct, bytes, position);
    } finally {
      await file.direct?.close();
      await file.handle.close();
    }
    const progress = await ctx.locks.run(key, async () => {
      const record = await readJsonFile<ChunkRecord>(recordFile);
      // Another file under the same name started over while the bytes were written: they went to
      // the file it removed. Stored again, as if this chunk had come after it.
      if (!record || record.upload !== upload) return undefined;
      record.received[String(chunkIndex)] = bytes.length;
      const sizes = Object.values(record.received);
      if (!record.complete && sizes.length === count && sizes.reduce((sum, size) => sum + size, 0) === fileSize) {
        renameIntoFolder(part, stored);
        record.complete = true;
        await writeFileRecord(ctx, runId, filename, "chunks", metadata);
      }
      await writeJsonAtomic(recordFile, record);
      return { received: sizes.length, count, complete: record.complete };
    });
    if (progress) return progress;
    if (tries >= RESTARTED_TRIES) {
      throw new HttpError(409, `storage/chunks: "${filename}" was started over by chunks of another size ${tries} times while chunk ${chunkIndex} was written`);
    }
  }
}

/** How many times a chunk is stored again when its file keeps being started over under it. */
const RESTARTED_TRIES = 3;

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
