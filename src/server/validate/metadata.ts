import type { UploadMetadata } from "../../platform/types.js";
import type { FieldCheck, JsonObject } from "./field-check.js";

/** `metadata` of an append, a chunk or a v2 upload, every field typed. */
export function metadataOf(check: FieldCheck, body: JsonObject): UploadMetadata {
  const raw = check.object(body, "metadata");
  const inner = check.within("metadata");
  const metadata: UploadMetadata = {
    project: inner.string(raw, "project"),
    owner: inner.string(raw, "owner"),
    originalname: inner.string(raw, "originalname"),
    resource: inner.string(raw, "resource"),
    resourceKind: inner.string(raw, "resourceKind") as UploadMetadata["resourceKind"],
    simulation: inner.string(raw, "simulation"),
  };
  const path = inner.optionalString(raw, "path");
  if (path !== undefined) metadata.path = path;
  if (raw.runId !== undefined) metadata.runId = inner.segment(raw, "runId");
  // The Python runner sends no runId: its files are filed under the resource.
  if (metadata.runId === undefined) inner.segment(raw, "resource");
  return metadata;
}

/** The run a stored file belongs to: `metadata.runId`, else `metadata.resource` (both checked above). */
export function runIdOf(metadata: UploadMetadata): string {
  return metadata.runId ?? metadata.resource;
}
