import { SCOPES } from "../auth/scopes.js";
import { notFound } from "../http/http-error.js";
import type { Route } from "../http/router.js";
import { sizeOf } from "../store/file-size.js";

/** `GET storage/runner/{fileId}`: the bytes of `DATA/files/{fileId}`, streamed. */
export const downloadRoutes: Route[] = [
  {
    method: "GET",
    path: "storage/runner/:fileId",
    scope: SCOPES.runner,
    async handle({ params, ctx }) {
      const fileId = params.get("fileId");
      const file = ctx.paths.download(fileId);
      const size = await sizeOf(file);
      if (size === undefined) throw notFound(`no file "${fileId}"`);
      return { status: 200, file, size, contentType: "application/octet-stream" };
    },
  },
];
