import { SCOPES } from "../auth/scopes.js";
import { readFormJson } from "../http/read-form.js";
import { json } from "../http/reply.js";
import type { Route } from "../http/router.js";
import { appendToStoredFile } from "../store/append-file.js";
import { runIdOf } from "../validate/metadata.js";
import { appendBodyOf } from "../validate/storage-bodies.js";

/** `POST storage/append`, form `json` = `{filename, chunk, isNew, metadata, isAscii}`. */
export const appendRoutes: Route[] = [
  {
    method: "POST",
    path: "storage/append",
    scope: SCOPES.runner,
    async handle({ req, ctx }) {
      const form = await readFormJson(req, ctx.forms, ctx.options.maxBodyBytes, "storage/append", "chunk");
      const { body, bytes, metadata, release } = appendBodyOf(form, ctx.options.maxChunkBytes, ctx.forms);
      try {
        await appendToStoredFile(ctx, runIdOf(metadata), body.filename, bytes, body.isNew, metadata);
      } finally {
        release();
      }
      return json({ filename: body.filename, bytes: bytes.length });
    },
  },
];
