import type { Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import type { AuthClaims } from "../auth/auth-guard.js";
import { hasScope } from "../auth/permission-guard.js";
import { SCOPES } from "../auth/scopes.js";
import { HttpError } from "../http/http-error.js";
import type { LiveControl } from "../server-context.js";
import { roomOf, runIdIn, runLogOf, runStatusOf } from "./live-payloads.js";

type Ack = (answer: { ok: boolean; error?: string; room?: string }) => void;

/**
 * socket.io on the server's own HTTP server (protocol.md part 4). A client connects with
 * `auth: {token}` (the HTTP rules), joins `run:<runId>`, and what a runner emits there (run:status,
 * run:log) reaches the room's other sockets; run:abort goes from the server to the room.
 */
export function attachSocketLive(
  httpServer: HttpServer,
  verify: (credential: unknown) => AuthClaims,
  onSocketServer?: (io: Server) => void,
): LiveControl {
  const io = new Server(httpServer, { serveClient: false });
  onSocketServer?.(io);
  io.use((socket, next) => {
    try {
      const claims = verify((socket.handshake.auth as { token?: unknown } | undefined)?.token);
      if (!hasScope(claims, SCOPES.runner) && !hasScope(claims, SCOPES.runsRead)) {
        throw new HttpError(403, `socket.io needs the scope "${SCOPES.runner}" or "${SCOPES.runsRead}"`);
      }
      socket.data.claims = claims;
      next();
    } catch (error) {
      next(new Error(error instanceof HttpError ? error.message : "unauthorized"));
    }
  });
  io.on("connection", (socket) => serveSocket(socket));
  return {
    abortRun(runId) {
      const room = roomOf(runId);
      io.to(room).emit("run:abort", { runId });
      return io.sockets.adapter.rooms.get(room)?.size ?? 0;
    },
    close: () => io.close(),
  };
}

function serveSocket(socket: Socket): void {
  const claims = socket.data.claims as AuthClaims;
  const join = (payload: unknown, ack?: Ack) => {
    const runId = runIdIn(payload);
    if (runId === undefined) return reply(ack, { ok: false, error: "join needs {runId}" });
    void socket.join(roomOf(runId));
    reply(ack, { ok: true, room: roomOf(runId) });
  };
  socket.on("join", join);
  socket.on("run:join", join);
  const relay = <T extends { runId: string }>(event: string, parse: (payload: unknown) => T | undefined) => {
    socket.on(event, (payload: unknown, ack?: Ack) => {
      if (!hasScope(claims, SCOPES.runner)) return reply(ack, { ok: false, error: `${event} needs the scope "${SCOPES.runner}"` });
      const checked = parse(payload);
      if (!checked) return reply(ack, { ok: false, error: `${event}: malformed payload` });
      socket.to(roomOf(checked.runId)).emit(event, checked);
      reply(ack, { ok: true });
    });
  };
  relay("run:status", runStatusOf);
  relay("run:log", runLogOf);
}

function reply(ack: Ack | undefined, answer: Parameters<Ack>[0]): void {
  if (typeof ack === "function") ack(answer);
}
