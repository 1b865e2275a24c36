import type { OpenUploadBody } from "../../platform/types.js";
import { FieldCheck } from "./field-check.js";
import { metadataOf } from "./metadata.js";

/** `POST storage/uploads` `{filename, size, sha256, metadata}`; the digest is kept in lower case. */
export function openUploadBodyOf(value: unknown): OpenUploadBody {
  const check = new FieldCheck("open upload");
  const body = check.root(value, "the request body");
  const filename = check.segment(body, "filename");
  const size = check.integer(body, "size");
  const sha256 = check.string(body, "sha256").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw check.fail("sha256", "must be 64 hexadecimal digits");
  return { filename, size, sha256, metadata: metadataOf(check, body) };
}

/** The `Upload-Offset` header of a PATCH: a non-negative integer. */
export function uploadOffsetOf(header: string | string[] | undefined): number {
  const check = new FieldCheck("send upload bytes");
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || !/^\d{1,15}$/.test(text.trim())) {
    throw check.fail("Upload-Offset", "header must be a non-negative integer");
  }
  return Number(text.trim());
}
