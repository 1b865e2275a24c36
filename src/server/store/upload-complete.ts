import { stat, truncate } from "node:fs/promises";
import { fileSha256 } from "../../fs/file-sha256.js";
import type { CompleteUploadAnswer } from "../../platform/types.js";
import { HttpError } from "../http/http-error.js";
import type { ServerContext } from "../server-context.js";
import { writeFileRecord } from "./file-records.js";
import { renameIntoFolder } from "./folder-on-demand.js";
import { openPositional } from "./positional-file.js";
import { offsetConflict, requireUpload, saveUpload, uploadLockKey } from "./upload-record.js";

/**
 * Checks the real digest of the bytes on disk and files them with the run. Idempotent: a complete
 * upload answers the same again. A digest that differs is a 422, and the upload starts over from
 * offset 0 (its bytes are known bad; resending is the only repair).
 */
export async function completeUpload(ctx: ServerContext, uploadId: string): Promise<CompleteUploadAnswer> {
  return ctx.locks.run(uploadLockKey(uploadId), async () => {
    const record = requireUpload(ctx, uploadId);
    if (record.complete) return { sha256: record.sha256, size: record.size };
    if (record.offset !== record.size) {
      throw offsetConflict(record.offset, `complete upload: ${record.offset} of the upload's ${record.size} bytes have arrived`);
    }
    const data = ctx.paths.uploadData(uploadId);
    // The digest taken while receiving covers exactly the bytes written, so it also tells their size.
    const received = await ctx.digests.take(uploadId, record.size);
    let size = record.size;
    if (received === undefined) {
      await (await openPositional(data)).close(); // an empty upload may never have had a PATCH
      size = (await stat(data)).size;
      if (size > 0) ctx.options.log(`complete upload ${uploadId}: no digest taken while its bytes arrived (a restart, or bytes that did not follow on); reading its ${size} bytes back`);
    }
    const sha256 = received ?? (await fileSha256(data));
    if (sha256 !== record.sha256 || size !== record.size) {
      await truncate(data, 0);
      saveUpload(ctx, { ...record, offset: 0 });
      throw new HttpError(
        422,
        `complete upload: the bytes received have sha256 ${sha256}, not the declared ${record.sha256}; the upload starts over from offset 0`,
        { extra: { sha256, size, offset: 0 } },
      );
    }
    const stored = ctx.paths.storedFile(record.runId, record.filename);
    renameIntoFolder(data, stored);
    await writeFileRecord(ctx, record.runId, record.filename, "v2", record.metadata);
    saveUpload(ctx, { ...record, complete: true });
    return { sha256, size };
  });
}
