import { SCOPES } from "../auth/scopes.js";
import { readBody } from "../http/consume-body.js";
import { readJson } from "../http/read-json.js";
import { json } from "../http/reply.js";
import type { Route } from "../http/router.js";
import { createRun, requireRun, updateRun } from "../store/run-store.js";
import { updateRunBodyOf } from "../validate/run-bodies.js";

/** The run node: `PUT simulation/run/update/{simulation}` creates it, `…/{runId}` replaces it whole. */
export const runRoutes: Route[] = [
  {
    method: "PUT",
    path: "simulation/run/update/:simulation",
    scope: SCOPES.runner,
    async handle({ req, params, ctx }) {
      // The body is `{}` and carries nothing; it is read (bounded) only to be done with it.
      await readBody(req, ctx.options.maxBodyBytes, "create run");
      return json(await createRun(ctx, params.get("simulation")));
    },
  },
  {
    method: "PUT",
    path: "simulation/run/update/:simulation/:runId",
    scope: SCOPES.runner,
    async handle({ req, params, ctx }) {
      const runId = params.get("runId");
      await requireRun(ctx, runId, params.get("simulation"));
      const update = updateRunBodyOf(await readJson(req, ctx.options.maxBodyBytes, "update run"), runId);
      await updateRun(ctx, runId, update);
      ctx.options.extension.onRunUpdate?.(runId, update.node, params.get("simulation"));
      return json({ ok: true });
    },
  },
];
