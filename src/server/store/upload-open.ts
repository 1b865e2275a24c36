import type { OpenUploadAnswer, OpenUploadBody } from "../../platform/types.js";
import type { ServerContext } from "../server-context.js";
import { runIdOf } from "../validate/metadata.js";
import { offsetConflict, readUpload, saveUpload, uploadIdOf, uploadLockKey, type UploadRecord } from "./upload-record.js";

/** Opens a v2 upload, or finds the one already open for the same run, filename and digest. */
export async function openUpload(ctx: ServerContext, body: OpenUploadBody): Promise<OpenUploadAnswer> {
  const runId = runIdOf(body.metadata);
  const uploadId = uploadIdOf(runId, body.filename, body.sha256);
  return ctx.locks.run(uploadLockKey(uploadId), async () => {
    const existing = readUpload(ctx, uploadId);
    if (existing) {
      if (existing.size !== body.size) {
        throw offsetConflict(
          existing.offset,
          `open upload: "${body.filename}" with this sha256 is already open with size ${existing.size}, not ${body.size}`,
        );
      }
      return { uploadId, offset: existing.offset };
    }
    const record: UploadRecord = {
      uploadId,
      runId,
      filename: body.filename,
      size: body.size,
      sha256: body.sha256,
      metadata: body.metadata,
      offset: 0,
      complete: false,
      createdAt: new Date().toISOString(),
    };
    saveUpload(ctx, record);
    return { uploadId, offset: 0 };
  });
}
