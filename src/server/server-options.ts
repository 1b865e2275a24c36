import { ConfigError } from "../errors.js";
import { CHUNK_SIZE } from "../platform/types.js";
import { FAULTS, type Fault } from "./fault-kinds.js";
import type { ServerExtension } from "./server-extension.js";

/**
 * How startServer is set up: where it keeps its data, how it checks tokens (a static `token` or a
 * `jwtSecret`: one of the two), and the faults and limits it imposes.
 */
export type ServerOptions = ServerSettings & ServerAuth;

/** One of the two is needed; with both, tokens are checked as JWTs against jwtSecret. */
export type ServerAuth =
  | { /** The static auth-token accepted (when there is no jwtSecret). */ token: string; jwtSecret?: string }
  | { token?: string; /** Then the auth-token header (or "Authorization: Bearer") must be an HS256 JWT signed with it. */ jwtSecret: string };

export interface ServerSettings {
  /** Everything the server keeps lives under here. */
  dataDir: string;
  /** 0 = any free port (default). */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** 0..1: the share of requests that get an injected fault (default 0). */
  faultRate?: number;
  /** Which faults are injected (default all three: "503", "429", "drop"). */
  faultKinds?: Fault[];
  /** Only requests whose path (no leading "/") starts with one of these get faults (default: any). */
  faultPaths?: string[];
  /** The Retry-After of an injected 429, in seconds (default 1). */
  retryAfterSeconds?: number;
  /** Extra latency: a random delay up to this on each request (default 0). */
  latencyMs?: number;
  /** A slow link: v2 PATCH bodies are read at most this fast, in bytes per second (default 0: as fast as they come). */
  uploadBytesPerSecond?: number;
  /** Larger decoded chunks and appends are refused with 413 (default 5 MiB + 64 KiB). */
  maxChunkBytes?: number;
  /**
   * Larger form and JSON bodies are refused with 413 (default: room for the url-encoded base64 of
   * a maxChunkBytes chunk at worst). v2 PATCH bodies are streamed to disk, limited by the upload's size.
   */
  maxBodyBytes?: number;
  /** Offer v2 uploads (default true); false makes a v1-only server: GET runner/capabilities is 404. */
  v2?: boolean;
  /** Offer socket.io (default true). */
  socketIo?: boolean;
  /** A line per request and per server error. */
  log?: (line: string) => void;
  /** The random source of faults and latency, in [0, 1) (default Math.random). */
  random?: () => number;
  /** Routes and hooks of a program built on the server (the local platform). */
  extension?: ServerExtension;
}

export type ResolvedOptions = Required<Omit<ServerOptions, "token" | "jwtSecret" | "extension">> &
  Pick<ServerOptions, "token" | "jwtSecret"> & { extension: ServerExtension };

const MiB = 1024 * 1024;

/** A shorter JWT secret is refused: guessable by brute force. */
export const MIN_JWT_SECRET_LENGTH = 16;

/** Every option checked at the edge; an error names the option and the value. */
export function resolveOptions(options: ServerOptions): ResolvedOptions {
  const fail = (name: string, rule: string, value: unknown): never => {
    throw new ConfigError(`server option "${name}" ${rule} (got ${JSON.stringify(value)})`);
  };
  if (typeof options.dataDir !== "string" || options.dataDir === "") fail("dataDir", "must be a folder path", options.dataDir);
  const int = (name: keyof ServerOptions, value: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const result = value ?? fallback;
    if (!Number.isSafeInteger(result) || result < min || result > max) fail(name, `must be an integer from ${min} to ${max}`, value);
    return result;
  };
  const { token, jwtSecret } = options;
  if (token !== undefined && (typeof token !== "string" || token === "")) fail("token", "must be a non-empty string", "***");
  if (jwtSecret !== undefined && (typeof jwtSecret !== "string" || jwtSecret.length < MIN_JWT_SECRET_LENGTH)) {
    fail("jwtSecret", `must be a string of at least ${MIN_JWT_SECRET_LENGTH} characters`, "***");
  }
  if (!token && !jwtSecret) throw new ConfigError('server: give a "token" or a "jwtSecret"; a server without auth is not offered');
  const faultRate = options.faultRate ?? 0;
  if (typeof faultRate !== "number" || !(faultRate >= 0 && faultRate <= 1)) fail("faultRate", "must be a number from 0 to 1", faultRate);
  const faultKinds = options.faultKinds ?? [...FAULTS];
  if (!Array.isArray(faultKinds) || faultKinds.length === 0 || faultKinds.some((k) => !FAULTS.includes(k))) {
    fail("faultKinds", `must be a non-empty list of ${FAULTS.map((k) => `"${k}"`).join(", ")}`, faultKinds);
  }
  const faultPaths = options.faultPaths ?? [""];
  if (!Array.isArray(faultPaths) || faultPaths.some((p) => typeof p !== "string")) fail("faultPaths", "must be a list of path prefixes", faultPaths);
  const maxChunkBytes = int("maxChunkBytes", options.maxChunkBytes, CHUNK_SIZE + 64 * 1024, 1);
  // Each raw byte is 4/3 base64 characters, each up to 3 url-encoded bytes ("/" → "%2F").
  const worstForm = 4 * Math.ceil(maxChunkBytes / 3) * 3 + 64 * 1024;
  return {
    dataDir: options.dataDir,
    port: int("port", options.port, 0, 0, 65535),
    host: options.host ?? "127.0.0.1",
    token,
    jwtSecret,
    faultRate,
    faultKinds,
    faultPaths: faultPaths.map((p) => p.replace(/^\/+/, "")),
    retryAfterSeconds: int("retryAfterSeconds", options.retryAfterSeconds, 1, 0, 3600),
    latencyMs: int("latencyMs", options.latencyMs, 0, 0, 60_000),
    uploadBytesPerSecond: int("uploadBytesPerSecond", options.uploadBytesPerSecond, 0, 0),
    maxChunkBytes,
    maxBodyBytes: int("maxBodyBytes", options.maxBodyBytes, Math.max(8 * MiB, worstForm), 1),
    v2: options.v2 ?? true,
    socketIo: options.socketIo ?? true,
    log: options.log ?? (() => undefined),
    random: options.random ?? Math.random,
    extension: options.extension ?? {},
  };
}
