import { DecodedBase64 } from "../../form-codec/decoded-base64.js";
import type { FormCodec } from "../../form-codec/form-codec.js";
import type { AppendBody, ChunkBody, UploadMetadata } from "../../platform/types.js";
import { base64Text, decodeBase64 } from "./base64.js";
import { FieldCheck } from "./field-check.js";
import { metadataOf } from "./metadata.js";

/** A payload whose base64 `chunk` has been decoded and checked against the size limit. */
export interface Decoded<T> {
  body: Omit<T, "chunk">;
  bytes: Buffer;
  metadata: UploadMetadata;
  /** Once `bytes` are stored: gives their memory back for the next request's (see DecodedBase64). */
  release(): void;
}

const releaseOf = (chunk: string | DecodedBase64) => () => {
  if (chunk instanceof DecodedBase64) chunk.release();
};

export function appendBodyOf(value: unknown, maxChunkBytes: number, forms: FormCodec): Decoded<AppendBody> {
  const check = new FieldCheck("storage/append");
  const json = check.root(value, 'form field "json"');
  const filename = check.segment(json, "filename");
  const chunk = base64Text(check, json, "chunk");
  const isNew = check.boolean(json, "isNew");
  const isAscii = check.boolean(json, "isAscii");
  const metadata = metadataOf(check, json);
  const bytes = decodeBase64(check, "chunk", chunk, maxChunkBytes, forms);
  return { body: { filename, isNew, isAscii, metadata }, bytes, metadata, release: releaseOf(chunk) };
}

export function chunkBodyOf(value: unknown, maxChunkBytes: number, forms: FormCodec): Decoded<ChunkBody> {
  const check = new FieldCheck("storage/chunks");
  const json = check.root(value, 'form field "json"');
  const filename = check.segment(json, "filename");
  const fileSize = check.integer(json, "fileSize");
  const chunkIndex = check.integer(json, "chunkIndex");
  const chunk = base64Text(check, json, "chunk");
  const metadata = metadataOf(check, json);
  const bytes = decodeBase64(check, "chunk", chunk, maxChunkBytes, forms);
  return { body: { filename, fileSize, chunkIndex, metadata }, bytes, metadata, release: releaseOf(chunk) };
}
