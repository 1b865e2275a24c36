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
  if (path !== undefined) {
    const problem = outputPathProblem(path);
    if (problem !== undefined) throw inner.fail("path", problem);
    metadata.path = path;
  }
  if (raw.runId !== undefined) metadata.runId = inner.segment(raw, "runId");
  // The Python runner sends no runId: its files are filed under the resource.
  if (metadata.runId === undefined) inner.segment(raw, "resource");
  return metadata;
}

/** The run a stored file belongs to: `metadata.runId`, else `metadata.resource` (both checked above). */
export function runIdOf(metadata: UploadMetadata): string {
  return metadata.runId ?? metadata.resource;
}

/**
 * `metadata.path` names the output relative to outputs/; a platform may file or serve it by that
 * path, so one that leaves outputs/ is refused like any other path field.
 */
function outputPathProblem(path: string): string | undefined {
  if (path === "" || path.startsWith("/")) return `must be a path relative to outputs/ (got ${JSON.stringify(path.slice(0, 100))})`;
  if (path.includes("\\")) return "must use / between folders, not \\";
  if (/[\x00-\x1f\x7f]/.test(path)) return "must not contain NUL or control characters";
  if (path.split("/").some((s) => s === "" || s === "." || s === "..")) return `must not hold empty, "." or ".." segments (got ${JSON.stringify(path.slice(0, 100))})`;
  return undefined;
}
