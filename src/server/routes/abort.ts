import { SCOPES } from "../auth/scopes.js";
import { json } from "../http/reply.js";
import type { Route } from "../http/router.js";

/** `POST runs/{id}/abort`: emits run:abort to the run's socket.io room, as abortRun() does. */
export const abortRoutes: Route[] = [
  {
    method: "POST",
    path: "runs/:runId/abort",
    scope: SCOPES.runsWrite,
    async handle({ params, ctx }) {
      const runId = params.get("runId");
      return json({ runId, sockets: ctx.live.abortRun(runId) });
    },
  },
];
