import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type Jwt from "jsonwebtoken";
import { jwtLibrary } from "./jwt-library.js";
import { HttpError } from "../http/http-error.js";
import { ALL_SCOPES } from "./scopes.js";

export interface AuthOptions {
  /** The static token accepted when there is no jwtSecret. */
  token?: string;
  /** When set, credentials must be HS256 JWTs signed with it. */
  jwtSecret?: string;
}

/** Who is calling and what they may do. */
export interface AuthClaims {
  sub: string;
  scopes: string[];
  mode: "static" | "jwt" | "anonymous";
}

/**
 * A guard for a node:http request, like the Python package's auth_guard: the credential comes from
 * the `auth-token` header or `Authorization: Bearer`; a missing, wrong or expired one throws a 401
 * whose message never repeats any part of it.
 */
export function authGuard(options: AuthOptions): (req: IncomingMessage) => AuthClaims {
  const verify = credentialVerifier(options);
  return (req) => verify(credentialOf(req));
}

export function credentialOf(req: IncomingMessage): string | undefined {
  const header = req.headers["auth-token"];
  const token = Array.isArray(header) ? header[0] : header;
  if (token) return token.trim();
  const authorization = req.headers.authorization;
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  return bearer?.[1];
}

/** Checks one credential (a header's or socket.io's `auth.token`) against the server's mode. */
export function credentialVerifier(options: AuthOptions): (credential: unknown) => AuthClaims {
  const { token, jwtSecret } = options;
  if (jwtSecret) return (credential) => verifyJwt(jwtSecret, credential);
  if (!token) throw new TypeError("authGuard: give a token or a jwtSecret");
  const expected = digest(token);
  return (credential) => {
    if (typeof credential !== "string" || credential === "") throw unauthorized("missing auth token");
    // Digests of equal length, compared in constant time: the comparison leaks nothing about the token.
    if (!timingSafeEqual(digest(credential), expected)) throw unauthorized("invalid auth token");
    return { sub: "token", scopes: [...ALL_SCOPES], mode: "static" };
  };
}

/** The claims of a caller of a PUBLIC route who sent no valid credential. */
export const ANONYMOUS: AuthClaims = Object.freeze({ sub: "", scopes: [], mode: "anonymous" as const });

function verifyJwt(secret: string, credential: unknown): AuthClaims {
  if (typeof credential !== "string" || credential === "") throw unauthorized("missing auth token");
  let payload: string | Jwt.JwtPayload;
  try {
    // The algorithm is pinned: a token saying "alg: none" or an asymmetric algorithm is refused.
    payload = jwtLibrary().verify(credential, secret, { algorithms: ["HS256"] });
  } catch (error) {
    throw unauthorized(error instanceof jwtLibrary().TokenExpiredError ? "auth token expired" : "invalid auth token");
  }
  if (typeof payload === "string") throw unauthorized("invalid auth token");
  return { sub: typeof payload.sub === "string" ? payload.sub : "", scopes: scopesOf(payload.scope), mode: "jwt" };
}

/** `scope` as a space-separated string (OAuth style) or an array of strings. */
function scopesOf(claim: unknown): string[] {
  if (typeof claim === "string") return claim.split(/\s+/).filter(Boolean);
  if (Array.isArray(claim)) return claim.filter((item): item is string => typeof item === "string");
  return [];
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, message, { headers: { "WWW-Authenticate": 'Bearer realm="physicsworks"' } });
}
