import { createHash } from "node:crypto";
import type { UploadMetadata } from "../../platform/types.js";
import { HttpError, notFound } from "../http/http-error.js";
import type { ServerContext } from "../server-context.js";
import { readJsonFile, writeJsonAtomic } from "./json-file.js";

/** A v2 upload's state, in `DATA/uploads/{uploadId}/upload.json` next to its bytes (`data`). */
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

/**
 * The record as last saved: from memory when this server saved or read it before (it is the only
 * writer of DATA), else from its file. Records are never changed in place, only replaced.
 */
export async function readUpload(ctx: ServerContext, uploadId: string): Promise<UploadRecord | undefined> {
  const known = ctx.uploadRecords.get(uploadId);
  if (known) return known;
  const record = await readJsonFile<UploadRecord>(ctx.paths.upload(uploadId, "upload.json"));
  if (record) ctx.uploadRecords.set(uploadId, record);
  return record;
}

export async function requireUpload(ctx: ServerContext, uploadId: string): Promise<UploadRecord> {
  const record = await readUpload(ctx, uploadId);
  if (!record) throw notFound(`no upload "${uploadId}"`);
  return record;
}

export async function saveUpload(ctx: ServerContext, record: UploadRecord): Promise<void> {
  try {
    await writeJsonAtomic(ctx.paths.upload(record.uploadId, "upload.json"), record);
  } catch (error) {
    // What is on disk is unknown now: the next read goes to the file.
    ctx.uploadRecords.delete(record.uploadId);
    throw error;
  }
  ctx.uploadRecords.set(record.uploadId, record);
}

/** A 409 carrying the offset the client must go on from (protocol.md part 3). */
export function offsetConflict(offset: number, message: string): HttpError {
  return new HttpError(409, message, { extra: { offset } });
}
