import type { IncomingMessage } from "node:http";
import type { AuthClaims } from "../auth/auth-guard.js";
import type { PUBLIC, Scope } from "../auth/scopes.js";
import type { ServerContext } from "../server-context.js";
import { safeSegment } from "../store/safe-segment.js";
import { HttpError } from "./http-error.js";
import type { Reply } from "./reply.js";

export type Method = "GET" | "HEAD" | "PUT" | "POST" | "PATCH" | "DELETE";

export interface RouteInput {
  req: IncomingMessage;
  params: Params;
  /** For a PUBLIC route: `{ sub: "", scopes: [], mode: "anonymous" }` unless a valid credential came. */
  claims: AuthClaims;
  ctx: ServerContext;
}

export interface Route {
  method: Method;
  /** Relative to the root, with `:name` for a parameter: `storage/runner/:fileId`. */
  path: string;
  /** The scope a JWT must carry for this route; PUBLIC: no credential is asked for. */
  scope: Scope | typeof PUBLIC;
  handle(input: RouteInput): Promise<Reply>;
}

/** Route parameters: every one of them becomes a path under DATA, so each is a checked safe segment. */
export class Params {
  constructor(private readonly values: ReadonlyMap<string, string>) {}
  get(name: string): string {
    const value = this.values.get(name);
    if (value === undefined) throw new Error(`route has no parameter "${name}"`);
    return value;
  }
}

/** A small router: literal segments and `:name` parameters, 404 for an unknown path, 405 for a wrong method. */
export class Router {
  private readonly routes: { route: Route; pattern: string[] }[];

  constructor(routes: Route[]) {
    this.routes = routes.map((route) => ({ route, pattern: route.path.split("/") }));
  }

  find(method: string, segments: string[]): { route: Route; params: Params } {
    const allowed = new Set<string>();
    for (const { route, pattern } of this.routes) {
      const values = matchPattern(pattern, segments);
      if (!values) continue;
      if (route.method !== method) {
        allowed.add(route.method);
        continue;
      }
      for (const [name, value] of values) safeSegment(name, value);
      return { route, params: new Params(values) };
    }
    const path = segments.join("/");
    if (allowed.size > 0) {
      throw new HttpError(405, `${method} is not accepted on ${path}`, { headers: { Allow: [...allowed].join(", ") } });
    }
    throw new HttpError(404, `no route for ${method} ${path}`);
  }
}

function matchPattern(pattern: string[], segments: string[]): Map<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const values = new Map<string, string>();
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i]!;
    const actual = segments[i]!;
    if (expected.startsWith(":")) values.set(expected.slice(1), actual);
    else if (expected !== actual) return undefined;
  }
  return values;
}
