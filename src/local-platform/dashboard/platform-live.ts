import type { Server as SocketServer } from "socket.io";
import { credentialVerifier, hasScope, HttpError, SCOPES, type AuthClaims } from "../../server/index.js";
import type { PlatformSettings } from "../platform-deps.js";
import type { JobEvents } from "../platform-types.js";

/** The socket.io namespace of the dashboard. */
export const PLATFORM_NAMESPACE = "/platform";

/** The room of one user's sockets; every job change of theirs is sent there. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/** The room of admins' sockets: they hear every job. */
export const ADMINS_ROOM = "admins";

/**
 * The dashboard's live side: `/platform` takes a user token (`auth: {token}`, scope "jobs") and
 * sends `job:update` with the job to its owner's sockets and to admins' on every change. The token
 * is checked once, at the handshake, like the protocol's namespace does.
 */
export function attachPlatformLive(io: SocketServer, deps: { settings: Pick<PlatformSettings, "jwtSecret">; events: JobEvents }): void {
  const verify = credentialVerifier({ jwtSecret: deps.settings.jwtSecret });
  const nsp = io.of(PLATFORM_NAMESPACE);
  nsp.use((socket, next) => {
    try {
      const claims = verify((socket.handshake.auth as { token?: unknown } | undefined)?.token);
      if (!hasScope(claims, SCOPES.jobs)) throw new HttpError(403, `${PLATFORM_NAMESPACE} needs the scope "${SCOPES.jobs}"`);
      socket.data.claims = claims;
      next();
    } catch (error) {
      // The message never holds the token: HttpError's are written without it.
      next(new Error(error instanceof HttpError ? error.message : "unauthorized"));
    }
  });
  nsp.on("connection", (socket) => {
    const claims = socket.data.claims as AuthClaims;
    void socket.join(userRoom(claims.sub));
    if (hasScope(claims, SCOPES.admin)) void socket.join(ADMINS_ROOM);
  });
  // One emit to both rooms: a socket in both (an admin's own job) hears it once.
  const stop = deps.events.on((job) => nsp.to([userRoom(job.owner), ADMINS_ROOM]).emit("job:update", job));
  // io.close() closes the HTTP server it was attached to; without one, nothing outlives the caller anyway.
  io.httpServer?.once("close", stop);
}
