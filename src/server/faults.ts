import type { Reply } from "./http/reply.js";
import type { ResolvedOptions } from "./server-options.js";

import type { Fault } from "./fault-kinds.js";

export type { Fault } from "./fault-kinds.js";

/**
 * Decided before anything of the request is done, so a faulted request has no effect. `GET health`
 * and the `GET runs*` reading calls are never faulted: tests and users read results through them.
 */
export function pickFault(options: ResolvedOptions, method: string, segments: string[]): Fault | undefined {
  if (options.faultRate <= 0) return undefined;
  if (method === "GET" && (segments[0] === "health" || segments[0] === "runs")) return undefined;
  const path = segments.join("/");
  if (!options.faultPaths.some((prefix) => path.startsWith(prefix))) return undefined;
  if (options.random() >= options.faultRate) return undefined;
  const kinds = options.faultKinds;
  return kinds[Math.min(kinds.length - 1, Math.floor(options.random() * kinds.length))];
}

export function faultReply(fault: "503" | "429", options: ResolvedOptions): Reply {
  if (fault === "429") {
    return {
      status: 429,
      json: { error: "injected fault: too many requests" },
      headers: { "Retry-After": String(options.retryAfterSeconds) },
    };
  }
  return { status: 503, json: { error: "injected fault: service unavailable" } };
}
