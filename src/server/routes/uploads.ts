import { SCOPES } from "../auth/scopes.js";
import { HttpError } from "../http/http-error.js";
import { readJson } from "../http/read-json.js";
import { json } from "../http/reply.js";
import type { Route } from "../http/router.js";
import { completeUpload } from "../store/upload-complete.js";
import { receiveUploadBytes } from "../store/upload-bytes.js";
import { openUpload } from "../store/upload-open.js";
import { requireUpload } from "../store/upload-record.js";
import { openUploadBodyOf, uploadOffsetOf } from "../validate/upload-bodies.js";

const RAW_TYPES = new Set(["", "application/octet-stream", "application/offset+octet-stream"]);

/** v2 resumable uploads (protocol.md part 3). */
export const uploadRoutes: Route[] = [
  {
    method: "POST",
    path: "storage/uploads",
    scope: SCOPES.runner,
    async handle({ req, ctx }) {
      const body = openUploadBodyOf(await readJson(req, ctx.options.maxBodyBytes, "open upload"));
      return json(await openUpload(ctx, body));
    },
  },
  {
    method: "PATCH",
    path: "storage/uploads/:uploadId",
    scope: SCOPES.runner,
    async handle({ req, params, ctx }) {
      const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      if (!RAW_TYPES.has(type)) {
        throw new HttpError(415, `send upload bytes: the body must be application/octet-stream, got "${type}"`);
      }
      const offset = uploadOffsetOf(req.headers["upload-offset"]);
      const next = await receiveUploadBytes(ctx, params.get("uploadId"), offset, req);
      return { status: 200, json: { offset: next }, headers: { "Upload-Offset": String(next) } };
    },
  },
  {
    method: "HEAD",
    path: "storage/uploads/:uploadId",
    scope: SCOPES.runner,
    async handle({ params, ctx }) {
      const record = requireUpload(ctx, params.get("uploadId"));
      return { status: 200, empty: true, headers: { "Upload-Offset": String(record.offset), "Upload-Length": String(record.size) } };
    },
  },
  {
    method: "POST",
    path: "storage/uploads/:uploadId/complete",
    scope: SCOPES.runner,
    async handle({ params, ctx }) {
      return json(await completeUpload(ctx, params.get("uploadId")));
    },
  },
];
