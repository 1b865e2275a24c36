import { base64JsonForm } from "./form-body.js";
import { formBody, pathOf } from "./bodies.js";
import { call, type CallContext } from "./call.js";
import { writeDownload, type DownloadProgress } from "./download-file.js";
import { retryUndelivered } from "./retry-policy.js";
import type { AppendBody, ChunkBody } from "./types.js";

/** Storage (protocol.md part 1): downloads, live appends, chunked uploads. */

/** An append as the caller gives it: the raw bytes (≤ 5 MiB), not their base64. */
export type AppendFileInput = Omit<AppendBody, "chunk"> & { bytes: Buffer };
/** A chunk as the caller gives it: the raw bytes of this chunk. */
export type UploadChunkInput = Omit<ChunkBody, "chunk"> & { bytes: Buffer };

export interface DownloadOptions {
  onProgress?: DownloadProgress;
}

export function downloadFile(
  ctx: CallContext,
  fileId: string,
  destPath: string,
  options: DownloadOptions = {},
): Promise<{ bytes: number }> {
  return call(ctx, {
    name: "download file",
    method: "GET",
    path: pathOf("storage", "runner", fileId),
    stream: true,
    read: (answer) => {
      const encoded = (answer.headers["content-encoding"] ?? "identity") !== "identity";
      const length = Number(answer.headers["content-length"]);
      // With a content encoding, Content-Length counts the encoded bytes, not the file's.
      const expectedBytes = !encoded && Number.isSafeInteger(length) && length >= 0 ? length : undefined;
      return writeDownload(answer.data, destPath, {
        ...(expectedBytes !== undefined ? { expectedBytes } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        stallMs: ctx.responseTimeoutMs,
      });
    },
  });
}

/**
 * An append carries no offset, so one the platform may have applied is not sent again here:
 * only failures that surely kept it from the platform are retried. Any other failure is the
 * caller's to repair by sending the file again from its start with `isNew: true`.
 */
export function appendFile(ctx: CallContext, input: AppendFileInput): Promise<void> {
  const { bytes, ...fields } = input;
  const form = base64JsonForm(ctx.forms, fields, "chunk", bytes);
  return call(ctx, {
    name: `append to ${input.filename}`,
    method: "POST",
    path: pathOf("storage", "append"),
    body: formBody(form),
    policy: retryUndelivered,
    read: () => undefined,
  }).finally(() => form.release());
}

export function uploadChunk(ctx: CallContext, input: UploadChunkInput): Promise<void> {
  const { bytes, ...fields } = input;
  const form = base64JsonForm(ctx.forms, fields, "chunk", bytes);
  return call(ctx, {
    name: `upload chunk ${input.chunkIndex} of ${input.filename}`,
    method: "POST",
    path: pathOf("storage", "chunks"),
    body: formBody(form),
    read: () => undefined,
  }).finally(() => form.release());
}
