import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import { ANONYMOUS, credentialOf, type AuthClaims } from "./auth/auth-guard.js";
import { permissionGuard } from "./auth/permission-guard.js";
import { PUBLIC } from "./auth/scopes.js";
import { faultReply, pickFault, type Fault } from "./faults.js";
import { discardRest } from "./http/discard-rest.js";
import { HttpError } from "./http/http-error.js";
import { json, writeReply, type Reply } from "./http/reply.js";
import { requestPath } from "./http/request-path.js";
import type { Router } from "./http/router.js";
import type { RequestLog } from "./request-log.js";
import type { ServerContext } from "./server-context.js";

export interface Pipeline {
  ctx: ServerContext;
  router: Router;
  verify: (credential: unknown) => AuthClaims;
  requestLog: RequestLog;
}

/** Every request: latency, fault, auth, route, answer, one line in the request log. */
export function requestHandler(pipeline: Pipeline): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(pipeline, req, res).catch((error: unknown) => {
      pipeline.ctx.options.log(`server error while answering: ${error instanceof Error ? error.message : String(error)}`);
      res.destroy();
    });
  };
}

async function handle(pipeline: Pipeline, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { ctx, router, verify, requestLog } = pipeline;
  const { options } = ctx;
  const started = performance.now();
  const at = new Date().toISOString();
  const method = req.method ?? "GET";
  const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
  let fault: Fault | undefined;
  res.once("close", () => {
    const status = res.headersSent ? res.statusCode : 0;
    const ms = Math.round(performance.now() - started);
    requestLog.write({ at, method, path: rawPath, status, ms, ...(fault ? { fault } : {}) });
    options.log(`${method} ${rawPath} ${status || "-"} ${ms}ms${fault ? ` (fault ${fault})` : ""}`);
  });
  try {
    const { segments } = requestPath(req);
    if (options.latencyMs > 0) await delay(Math.floor(options.random() * options.latencyMs));
    fault = pickFault(options, method, segments);
    if (fault === "drop") {
      req.socket.destroy();
      return;
    }
    if (fault) {
      discardRest(req);
      await writeReply(res, faultReply(fault, options), method === "HEAD");
      return;
    }
    let reply: Reply;
    if (method === "GET" && segments.length === 1 && segments[0] === "health") {
      reply = json({ ok: true });
    } else {
      const found = findRoute(router, method, segments);
      let claims: AuthClaims;
      if ("route" in found && found.route.scope === PUBLIC) {
        claims = optionalClaims(verify, credentialOf(req));
      } else {
        // A credential is checked before a missing route is told: no 404 for those without one.
        claims = verify(credentialOf(req));
        if (!("route" in found)) throw found.error;
        permissionGuard(found.route.scope)(claims);
      }
      reply = await found.route.handle({ req, params: found.params, claims, ctx });
    }
    await writeReply(res, reply, method === "HEAD");
  } catch (error) {
    discardRest(req);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    await writeReply(res, errorReply(error, options.log), method === "HEAD");
  }
}

function findRoute(router: Router, method: string, segments: string[]): ReturnType<Router["find"]> | { error: unknown } {
  try {
    return router.find(method, segments);
  } catch (error) {
    return { error };
  }
}

/** A public route still knows who calls when a valid credential comes; a bad one makes them anonymous. */
function optionalClaims(verify: (credential: unknown) => AuthClaims, credential: string | undefined): AuthClaims {
  if (credential === undefined) return ANONYMOUS;
  try {
    return verify(credential);
  } catch {
    return ANONYMOUS;
  }
}

function errorReply(error: unknown, log: (line: string) => void): Reply {
  if (error instanceof HttpError) {
    return { status: error.status, json: { error: error.message, ...error.extra }, headers: error.headers };
  }
  log(`server error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return { status: 500, json: { error: "internal server error; see the server's log" } };
}
