import type { IncomingMessage } from "node:http";
import { badRequest } from "./http-error.js";

export interface RequestPath {
  /** The path as sent, without the query: what the request log shows. */
  raw: string;
  /** The path's segments below the root, each percent-decoded. */
  segments: string[];
}

/**
 * Splits the path by hand rather than through `URL`: URL would fold `..` and `%2e%2e` segments
 * away, turning a traversal attempt into some other route instead of the 400 it deserves.
 */
export function requestPath(req: IncomingMessage): RequestPath {
  const url = req.url ?? "/";
  const queryAt = url.indexOf("?");
  const raw = queryAt === -1 ? url : url.slice(0, queryAt);
  const below = raw.startsWith("/") ? raw.slice(1) : raw;
  const segments = below.split("/").map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      throw badRequest("the request path has a malformed percent-encoding");
    }
  });
  return { raw, segments };
}
