import { rm, type FileHandle } from "node:fs/promises";
import { isDirectWritable } from "../../fs/aligned-buffer.js";
import { CHUNK_SIZE, type UploadMetadata } from "../../platform/types.js";
import { badRequest } from "../http/http-error.js";
import type { ServerContext } from "../server-context.js";
import { writeFileRecord } from "./file-records.js";
import { renameIntoFolder } from "./folder-on-demand.js";
import { readJsonFile, writeJsonAtomic } from "./json-file.js";
import { openDirectForWrites, openPositional, writeFullyDirect } from "./positional-file.js";

/** The chunks of one file received so far (chunk index → size), kept next to its part file. */
interface ChunkRecord {
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
  return ctx.locks.run(`file:${runId}/${filename}`, async () => {
    let record = await readJsonFile<ChunkRecord>(recordFile);
    if (record && record.fileSize !== fileSize) {
      // Another file under the same name: start over.
      await rm(part, { force: true });
      record = undefined;
    }
    record ??= { fileSize, count, received: {}, complete: false };
    await writeAt(record.complete ? stored : part, chunkIndex * CHUNK_SIZE, bytes);
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
}

/** Chunks of this size or more go to disk past the page cache when they can (see body-writer.ts for why). */
const DIRECT_FROM_BYTES = 1024 * 1024;

/**
 * A whole chunk (5 MiB, at a multiple of 5 MiB, decoded into a buffer on a page boundary by the
 * form codec) is written with O_DIRECT where the filesystem allows it; a last, shorter chunk, or
 * one in a buffer placed elsewhere, through the page cache.
 */
async function writeAt(file: string, position: number, bytes: Buffer): Promise<void> {
  const handle = await openPositional(file);
  let direct: FileHandle | undefined;
  try {
    if (bytes.length >= DIRECT_FROM_BYTES && isDirectWritable(bytes, position)) direct = await openDirectForWrites(file);
    await writeFullyDirect(handle, direct, bytes, position);
  } finally {
    await direct?.close();
    await handle.close();
  }
}
