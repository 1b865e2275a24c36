import { createHash } from "node:crypto";
import type { UploadMetadata } from "../../platform/types.js";
import { HttpError, notFound } from "../http/http-error.js";
import type { ServerContext } from "../server-context.js";

/** A v2 upload's state, a line of `DATA/uploads.jsonl`; its bytes are in `DATA/uploads/{uploadId}.data`. */
export interface UploadRecord {
  uploadId: string;
  runId: string;
  filename: string;
  size: number;
  sha256: string;
  metadata: UploadMetadata;
  /** Bytes received and on disk. */
  offset: number;
  complete: boolean;
  createdAt: string;
}

/**
 * The id follows from run, filename and digest, so opening the same file again finds the same
 * upload (and two opens racing each other agree) without an index to keep.
 */
export function uploadIdOf(runId: string, filename: string, sha256: string): string {
  return createHash("sha256").update(`${runId}\0${filename}\0${sha256}`).digest("hex").slice(0, 32);
}

export function uploadLockKey(uploadId: string): string {
  return `upload:${uploadId}`;
}

export function readUpload(ctx: ServerContext, uploadId: string): UploadRecord | undefined {
  return ctx.uploads.get(uploadId);
}

export function requireUpload(ctx: ServerContext, uploadId: string): UploadRecord {
  const record = readUpload(ctx, uploadId);
  if (!record) throw notFound(`no upload "${uploadId}"`);
  return record;
}

export function saveUpload(ctx: ServerContext, record: UploadRecord): void {
  ctx.uploads.put(record);
}

/** A 409 carrying the offset the client must go on from (protocol.md part 3). */
export function offsetConflict(offset: number, message: string): HttpError {
  return new HttpError(409, message, { extra: { offset } });
}
