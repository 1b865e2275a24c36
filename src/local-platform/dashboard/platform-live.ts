import jwt from "jsonwebtoken";
import type { Server as SocketServer, Socket } from "socket.io";
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
 * is checked at the handshake, and the socket is closed when it expires: the client's reconnect then
 * meets the check again.
 */
export function attachPlatformLive(io: SocketServer, deps: { settings: Pick<PlatformSettings, "jwtSecret">; events: JobEvents }): void {
  const verify = credentialVerifier({ jwtSecret: deps.settings.jwtSecret });
  const nsp = io.of(PLATFORM_NAMESPACE);
  nsp.use((socket, next) => {
    try {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      const claims = verify(token);
      if (!hasScope(claims, SCOPES.jobs)) throw new HttpError(403, `${PLATFORM_NAMESPACE} needs the scope "${SCOPES.jobs}"`);
      socket.data.claims = claims;
      socket.data.expiresAt = expiryOf(token);
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
    closeAtExpiry(socket, socket.data.expiresAt as number | undefined);
  });
  // One emit to both rooms: a socket in both (an admin's own job) hears it once.
  const stop = deps.events.on((job) => nsp.to([userRoom(job.owner), ADMINS_ROOM]).emit("job:update", job));
  // io.close() closes the HTTP server it was attached to; without one, nothing outlives the caller anyway.
  io.httpServer?.once("close", stop);
}

/** The verified token's `exp` in ms since the epoch, if it has one. */
function expiryOf(token: unknown): number | undefined {
  const payload = typeof token === "string" ? jwt.decode(token) : null;
  return payload && typeof payload === "object" && typeof payload.exp === "number" ? payload.exp * 1000 : undefined;
}

/** The longest delay setTimeout keeps (about 24.8 days); a later expiry is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function closeAtExpiry(socket: Socket, expiresAt: number | undefined): void {
  if (expiresAt === undefined) return;
  const wait = expiresAt - Date.now();
  if (wait <= 0) return void socket.disconnect(true);
  const timer = setTimeout(() => closeAtExpiry(socket, expiresAt), Math.min(wait, MAX_TIMER_MS));
  timer.unref();
  socket.once("disconnect", () => clearTimeout(timer));
}
