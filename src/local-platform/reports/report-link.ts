import type { PlatformDeps } from "../platform-deps.js";
import { presign } from "./presign.js";

/** What the report routes answer: a fresh pre-signed link, absolute and relative to the server's root. */
export interface ReportLink {
  id: string;
  url: string;
  /** Relative to the server's root: `api/v1/reports/<id>/download?expires=…&signature=…`. */
  path: string;
  /** ISO time after which the link answers 403. */
  expiresAt: string;
}

export function reportLink(deps: PlatformDeps, id: string, now = Date.now()): ReportLink {
  const server = deps.server.current;
  if (!server) throw new Error("report links are made while the server answers; deps.server.current is not set");
  const { expires, signature } = presign(deps.settings.jwtSecret, id, deps.settings.urlTtlMs, now);
  const path = `api/v1/reports/${encodeURIComponent(id)}/download?expires=${expires}&signature=${signature}`;
  return { id, url: new URL(path, server.url).toString(), path, expiresAt: new Date(expires).toISOString() };
}
