import type { IncomingMessage } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { consumeBody } from "../http/consume-body.js";
import type { ServerContext } from "../server-context.js";
import { BodyWriter } from "./body-writer.js";
import { offsetConflict, requireUpload, saveUpload, uploadLockKey } from "./upload-record.js";

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
    let position = start;
    // The digest goes along with what is written; none when the bytes before were not seen here.
    const file = ctx.paths.uploadData(uploadId);
    const digest = ctx.digests.from(uploadId, start, record.size);
    const writer = new BodyWriter(file, start, record.size - start, digest);
    const pace = bodyPace(ctx.options.uploadBytesPerSecond);
    try {
      const tooLarge = `send upload bytes: the body goes past the upload's declared size of ${record.size} bytes`;
      await consumeBody(req, record.size - start, tooLarge, (chunk) => {
        const wait = pace(chunk.length);
        return wait > 0 ? sleep(wait).then(() => writer.take(chunk)) : writer.take(chunk);
      });
      // The end of the body, or the client went away: what arrived is kept either way.
      position = await writer.finish();
      digest?.keep(position);
    } catch (error) {
      // The bytes are cut back to `start`; a digest kept for `start` still holds.
      position = start;
      digest?.drop();
      throw error;
    } finally {
      // Whatever lies past the offset (a refused body, a crash mid-write) is cut off.
      await writer.close(position);
      if (position !== record.offset) saveUpload(ctx, { ...record, offset: position });
    }
    return position;
  });
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
