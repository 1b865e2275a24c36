import type { Capabilities } from "../../platform/types.js";
import { SCOPES } from "../auth/scopes.js";
import { json } from "../http/reply.js";
import type { Route } from "../http/router.js";

/** `GET runner/capabilities`; only a v2 server has it (a 404 tells the runner "v1 only"). */
export const capabilityRoutes: Route[] = [
  {
    method: "GET",
    path: "runner/capabilities",
    scope: SCOPES.runner,
    async handle({ ctx }) {
      const capabilities: Capabilities = {
        uploads: ["v1", "v2"],
        events: ctx.options.socketIo ? ["socket.io"] : [],
      };
      return json(capabilities);
    },
  },
];
