import { SCOPES } from "../auth/scopes.js";
import { readJson } from "../http/read-json.js";
import { json } from "../http/reply.js";
import type { Route } from "../http/router.js";
import { patchResults, requireRun } from "../store/run-store.js";
import { resultsBodyOf } from "../validate/run-bodies.js";

/** `PUT simulation/run/patch/{runId}` `{results:[{name, type, value}]}`. */
export const resultRoutes: Route[] = [
  {
    method: "PUT",
    path: "simulation/run/patch/:runId",
    scope: SCOPES.runner,
    async handle({ req, params, ctx }) {
      const runId = params.get("runId");
      await requireRun(ctx, runId);
      const results = resultsBodyOf(await readJson(req, ctx.options.maxBodyBytes, "patch results"));
      return json({ results: await patchResults(ctx, runId, results) });
    },
  },
];
