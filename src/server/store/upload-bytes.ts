import { closeSync, ftruncateSync, writeSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { sleep } from "../../platform/retry.js";
import { consumeBody } from "../http/consume-body.js";
import type { ServerContext } from "../server-context.js";
import { openPositional, openPositionalSync, writeFully } from "./positional-file.js";
import { offsetConflict, requireUpload, saveUpload, uploadLockKey } from "./upload-record.js";

/** Bytes gathered before one write to disk. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * A v2 PATCH: the body is streamed to disk at the upload's offset, never held whole. Bytes that
 * arrived before the client went away are kept (the client asks HEAD and goes on from there);
 * a body that would pass the declared size is refused with 413 and leaves the offset as it was.
 */
export async function receiveUploadBytes(
  ctx: ServerContext,
  uploadId: string,
  claimedOffset: number,
  req: IncomingMessage,
): Promise<number> {
  const key = uploadLockKey(uploadId);
  if (ctx.locks.busy(key)) {
    const record = requireUpload(ctx, uploadId);
    throw offsetConflict(record.offset, "send upload bytes: another request on this upload is under way");
  }
  return ctx.locks.run(key, async () => {
    const record = requireUpload(ctx, uploadId);
    if (record.complete) throw offsetConflict(record.offset, "send upload bytes: the upload is already complete");
    if (claimedOffset !== record.offset) {
      throw offsetConflict(record.offset, `send upload bytes: Upload-Offset ${claimedOffset} is not the upload's offset ${record.offset}`);
    }
    const start = record.offset;
    const file = ctx.paths.uploadData(uploadId);
    let position = start;
    // The digest goes along with what is written; none when the bytes before were not seen here.
    const hash = ctx.digests.from(uploadId, start);
    // The body's pieces (64 KiB or less) gather here and go to disk 1 MiB at a time: one awaited
    // write per piece made the disk the bottleneck. Never larger than what the upload lacks. Two
    // batches take turns: one fills while the other is written, so the body is read on meanwhile.
    let batch: Buffer = Buffer.allocUnsafe(Math.max(1, Math.min(WRITE_BATCH_BYTES, record.size - start)));
    let spare: Buffer | undefined;
    let batched = 0;
    // Opened at the first full batch: a body that fits in one batch is written in one go at its end.
    let handle: Awaited<ReturnType<typeof openPositional>> | undefined;
    // The write under way; bytes are hashed as their write starts, and `position` counts them then.
    let writing: Promise<void> = Promise.resolve();
    const write = async (bytes: Buffer) => {
      handle ??= await openPositional(file, start === 0);
      await writing;
      writing = writeFully(handle, bytes, position);
      writing.catch(() => undefined); // awaited before the next write and at the end
      hash?.update(bytes);
      position += bytes.length;
    };
    const flush = async () => {
      if (batched === 0) return;
      const full = batch.subarray(0, batched);
      spare ??= Buffer.allocUnsafe(batch.length);
      [batch, spare] = [spare, batch];
      batched = 0;
      await write(full);
    };
    const keep = async (chunk: Buffer) => {
      if (chunk.length < batch.length) {
        chunk.copy(batch, 0);
        batched = chunk.length;
        return;
      }
      await write(chunk);
    };
    const take = (chunk: Buffer): Promise<void> | undefined => {
      if (batched + chunk.length <= batch.length) {
        chunk.copy(batch, batched);
        batched += chunk.length;
        // A batch that holds the rest of the upload waits for the body's end (and goes in one write).
        return batched === batch.length && position + batched < record.size ? flush() : undefined;
      }
      return flush().then(() => keep(chunk));
    };
    const pace = bodyPace(ctx.options.uploadBytesPerSecond);
    try {
      const tooLarge = `send upload bytes: the body goes past the upload's declared size of ${record.size} bytes`;
      await consumeBody(req, record.size - start, tooLarge, (chunk) => {
        const wait = pace(chunk.length);
        if (wait > 0) return sleep(wait).then(() => take(chunk));
        return take(chunk);
      });
      // The end of the body, or the client went away: what arrived is kept either way.
      if (handle) {
        await flush();
        await writing;
      } else position = writeOnce(file, start, batch.subarray(0, batched), hash);
      batched = 0;
      if (hash) ctx.digests.keep(uploadId, position, hash);
    } catch (error) {
      // The bytes are cut back to `start`; a digest kept for `start` still holds.
      position = start;
      throw error;
    } finally {
      // Whatever lies past the offset (a refused body, a crash mid-write) is cut off.
      if (handle) {
        await writing.catch(() => undefined);
        await handle.truncate(position);
        await handle.close();
      }
      if (position !== record.offset) saveUpload(ctx, { ...record, offset: position });
    }
    return position;
  });
}

/**
 * A body that fit in one batch (every small file's): written synchronously, as the records are
 * (see json-file.ts), in four system calls instead of four trips to libuv's thread pool.
 * Returns the new offset.
 */
function writeOnce(file: string, start: number, bytes: Buffer, hash: ReturnType<ServerContext["digests"]["from"]>): number {
  const fd = openPositionalSync(file);
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, start + written);
    ftruncateSync(fd, start + bytes.length);
  } finally {
    closeSync(fd);
  }
  hash?.update(bytes);
  return start + bytes.length;
}

/**
 * For a server that plays a slow link (option uploadBytesPerSecond): how long to hold the body
 * before taking the next `bytes`, so that what was taken keeps to the rate. Always 0 without one.
 */
function bodyPace(bytesPerSecond: number): (bytes: number) => number {
  if (bytesPerSecond <= 0) return () => 0;
  const started = Date.now();
  let taken = 0;
  return (bytes) => {
    taken += bytes;
    return Math.max(0, started + (taken / bytesPerSecond) * 1000 - Date.now());
  };
}
