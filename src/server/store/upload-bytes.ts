import type { IncomingMessage } from "node:http";
import { consumeBody } from "../http/consume-body.js";
import type { ServerContext } from "../server-context.js";
import { openPositional, writeFully } from "./positional-file.js";
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
    const record = await requireUpload(ctx, uploadId);
    throw offsetConflict(record.offset, "send upload bytes: another request on this upload is under way");
  }
  return ctx.locks.run(key, async () => {
    const record = await requireUpload(ctx, uploadId);
    if (record.complete) throw offsetConflict(record.offset, "send upload bytes: the upload is already complete");
    if (claimedOffset !== record.offset) {
      throw offsetConflict(record.offset, `send upload bytes: Upload-Offset ${claimedOffset} is not the upload's offset ${record.offset}`);
    }
    const start = record.offset;
    let position = start;
    // The digest goes along with what is written; none when the bytes before were not seen here.
    const hash = ctx.digests.from(uploadId, start);
    const handle = await openPositional(ctx.paths.upload(uploadId, "data"), start === 0);
    // The body's pieces (64 KiB or less) gather here and go to disk 1 MiB at a time: one awaited
    // write per piece made the disk the bottleneck. `position` counts only what is written.
    const batch = Buffer.allocUnsafe(WRITE_BATCH_BYTES);
    let batched = 0;
    const flush = async () => {
      if (batched === 0) return;
      await writeFully(handle, batch.subarray(0, batched), position);
      hash?.update(batch.subarray(0, batched));
      position += batched;
      batched = 0;
    };
    const keep = async (chunk: Buffer) => {
      if (chunk.length < WRITE_BATCH_BYTES) {
        chunk.copy(batch, 0);
        batched = chunk.length;
        return;
      }
      await writeFully(handle, chunk, position);
      hash?.update(chunk);
      position += chunk.length;
    };
    try {
      const tooLarge = `send upload bytes: the body goes past the upload's declared size of ${record.size} bytes`;
      await consumeBody(req, record.size - start, tooLarge, (chunk) => {
        if (batched + chunk.length <= WRITE_BATCH_BYTES) {
          chunk.copy(batch, batched);
          batched += chunk.length;
          return batched === WRITE_BATCH_BYTES ? flush() : undefined;
        }
        return flush().then(() => keep(chunk));
      });
      // The end of the body, or the client went away: what arrived is kept either way.
      await flush();
      if (hash) ctx.digests.keep(uploadId, position, hash);
    } catch (error) {
      // The bytes are cut back to `start`; a digest kept for `start` still holds.
      position = start;
      throw error;
    } finally {
      // Whatever lies past the offset (a refused body, a crash mid-write) is cut off.
      await handle.truncate(position);
      await handle.close();
      if (position !== record.offset) await saveUpload(ctx, { ...record, offset: position });
    }
    return position;
  });
}
