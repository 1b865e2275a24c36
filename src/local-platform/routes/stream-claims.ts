import type { IncomingMessage } from "node:http";
import { HttpError, permissionGuard, SCOPES, type AuthClaims } from "../../server/index.js";
import { credentialVerifier } from "../../server/auth/auth-guard.js";
import type { PlatformDeps } from "../platform-deps.js";
import { queryParam } from "./query-param.js";

/**
 * Who follows an event stream. A browser's EventSource cannot send headers, so besides the usual
 * `Authorization: Bearer` the user token may come as `?token=`. The route is PUBLIC for that reason
 * and checks here what the pipeline checks for the others. The request log keeps the path without
 * its query, so the token is not written there; no message repeats it.
 */
export function streamClaims(deps: PlatformDeps, req: IncomingMessage, fromHeader: AuthClaims): AuthClaims {
  let claims = fromHeader;
  if (claims.mode === "anonymous") {
    const token = queryParam(req, "token");
    if (!token) {
      throw new HttpError(401, "missing or invalid auth token: send Authorization: Bearer <token>, or ?token=<token> from an EventSource", {
        headers: { "WWW-Authenticate": 'Bearer realm="physicsworks"' },
      });
    }
    claims = credentialVerifier({ jwtSecret: deps.settings.jwtSecret })(token);
  }
  permissionGuard(SCOPES.jobs)(claims);
  return claims;
}
