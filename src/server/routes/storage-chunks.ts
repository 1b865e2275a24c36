import { SCOPES } from "../auth/scopes.js";
import { readFormJson } from "../http/read-form.js";
import { json } from "../http/reply.js";
import type { Route } from "../http/router.js";
import { storeChunk } from "../store/chunk-assembly.js";
import { runIdOf } from "../validate/metadata.js";
import { chunkBodyOf } from "../validate/storage-bodies.js";

/** `POST storage/chunks`, form `json` = `{filename, fileSize, chunkIndex, chunk, metadata}`. */
export const chunkRoutes: Route[] = [
  {
    method: "POST",
    path: "storage/chunks",
    scope: SCOPES.runner,
    async handle({ req, ctx }) {
      const form = await readFormJson(req, ctx.forms, ctx.options.maxBodyBytes, "storage/chunks", "chunk");
      const { body, bytes, metadata, release } = chunkBodyOf(form, ctx.options.maxChunkBytes, ctx.forms);
      try {
        const progress = await storeChunk(ctx, runIdOf(metadata), body.filename, body.fileSize, body.chunkIndex, bytes, metadata);
        return json({ filename: body.filename, ...progress });
      } finally {
        release();
      }
    },
  },
];
