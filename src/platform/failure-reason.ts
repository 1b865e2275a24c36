import { STATUS_CODES } from "node:http";
import { CONNECT_TIMEOUT_CODE, RESPONSE_TIMEOUT_CODE } from "./retry-policy.js";

export const TOKEN_HINT = 'check the token (config "token", PHYSICSWORKS_TOKEN or --tokenFile)';

/** Why the platform's status is a failure, in words that point at the fix; `origin` names the platform where the token is refused. */
export function statusReason(status: number, contentType: string, body: string, origin?: string): string {
  const name = `${status} ${STATUS_CODES[status] ?? ""}`.trim();
  const detail = answerDetail(contentType, body);
  if (status === 401 || status === 403) {
    // The platform's own word (expired, a scope it lacks) says which fix; an HTML page says nothing.
    const why = detail && !detail.startsWith("an HTML page") ? `: ${detail}` : "";
    return `the platform${origin ? ` at ${origin}` : ""} refused the token (${name}${why}); ${TOKEN_HINT}`;
  }
  const hint =
    status === 413 ? "; the body is too large for the platform or for a proxy in front of it" : "";
  return `the platform answered ${name}${detail ? `: ${detail}` : ""}${hint}`;
}

export interface Timeouts {
  /** The platform's origin, for messages (with the proxy it goes through). */
  origin: string;
  /** The calls go through an HTTP proxy: a refused or unresolved connection is the proxy's. */
  proxied?: boolean;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
}

/** Why a request got no answer: connection errors and timeouts. */
export function connectionReason(error: unknown, t: Timeouts): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === CONNECT_TIMEOUT_CODE) {
    return `could not connect to ${t.origin} within ${duration(t.connectTimeoutMs)} (connect timeout; option connectTimeoutMs)`;
  }
  if (code === RESPONSE_TIMEOUT_CODE) {
    return `no answer within ${duration(t.responseTimeoutMs)} (response timeout; option responseTimeoutMs)`;
  }
  switch (code) {
    case "ECONNREFUSED":
      return t.proxied
        ? `cannot connect to ${t.origin}: the proxy refused the connection; is it running, and are https_proxy / http_proxy right?`
        : `cannot connect to ${t.origin}: connection refused; is the platform running, and is "host" right?`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return t.proxied
        ? `cannot resolve the proxy's host for ${t.origin} (${code}); check https_proxy / http_proxy`
        : `cannot resolve the host of ${t.origin} (${code}); check "host"`;
    case "ECONNRESET":
    case "EPIPE":
    case "ERR_STREAM_PREMATURE_CLOSE":
      return `the connection was dropped (${message})`;
  }
  return typeof code === "string" && !message.includes(code) ? `${message} (${code})` : message;
}

export function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${+(ms / 1000).toFixed(1)} s`;
}

/** A short, one-line account of an error answer's body: its message, an HTML page's title, or its start. */
export function answerDetail(contentType: string, body: string): string {
  const text = body.trim();
  if (!text) return "";
  if (/html/i.test(contentType) || text.startsWith("<")) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    return title ? `an HTML page "${oneLine(title, 100)}"` : "an HTML page";
  }
  try {
    const json: unknown = JSON.parse(text);
    if (json && typeof json === "object") {
      for (const key of ["message", "error", "detail"]) {
        const value = (json as Record<string, unknown>)[key];
        if (typeof value === "string" && value) return oneLine(value, 200);
      }
    }
  } catch {
    // Not JSON: its start will do.
  }
  return oneLine(text, 200);
}

export function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
