import { mkdir } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors.js";
import type { PlatformSettings } from "./platform-deps.js";
import { MIN_SECRET_LENGTH, platformSecret } from "./platform-secret.js";
import { loadSolvers } from "./solvers/load-solvers.js";

/** What startPlatform is given (the CLI's flags, parsed). */
export interface PlatformOptions {
  /** platform.db, platform-secret, jobs/, reports/ and the protocol server's store. */
  dataDir: string;
  /** Each sub-folder with a config.json is a solver type. */
  solversDir: string;
  /** 0 = any free port (default). */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** In-process jobs at once (default 2). */
  concurrency?: number;
  /** Hand jobs to the NATS work queue instead of the in-process pool. */
  natsUrl?: string;
  /** Pre-signed report URLs (default 15 min). */
  urlTtlMs?: number;
  /** SIGTERM → SIGKILL when a job is cancelled (default 5 s). */
  graceMs?: number;
  /** Signs user and runner tokens and pre-signed URLs; default: DATA/platform-secret, made once. */
  jwtSecret?: string;
  /** A line per request and per server event. */
  log?: (line: string) => void;
}

export const PLATFORM_DEFAULTS = { concurrency: 2, urlTtlMs: 15 * 60_000, graceMs: 5000 } as const;

/** The options checked (each error names the option and the value), the solvers read, the secret found or made. */
export async function platformSettings(options: PlatformOptions): Promise<PlatformSettings> {
  const fail = (name: string, rule: string, value: unknown): never => {
    throw new ConfigError(`platform option "${name}" ${rule} (got ${JSON.stringify(value)})`);
  };
  if (typeof options.dataDir !== "string" || options.dataDir === "") fail("dataDir", "must be a folder path", options.dataDir);
  if (typeof options.solversDir !== "string" || options.solversDir === "") fail("solversDir", "must be a folder path", options.solversDir);
  const int = (name: string, value: number | undefined, fallback: number, min: number, max: number) => {
    const result = value ?? fallback;
    if (!Number.isSafeInteger(result) || result < min || result > max) fail(name, `must be an integer from ${min} to ${max}`, value);
    return result;
  };
  const concurrency = int("concurrency", options.concurrency, PLATFORM_DEFAULTS.concurrency, 1, 256);
  const urlTtlMs = int("urlTtlMs", options.urlTtlMs, PLATFORM_DEFAULTS.urlTtlMs, 1000, 7 * 24 * 3_600_000);
  const graceMs = int("graceMs", options.graceMs, PLATFORM_DEFAULTS.graceMs, 0, 3_600_000);
  const { natsUrl, jwtSecret } = options;
  if (natsUrl !== undefined && (typeof natsUrl !== "string" || natsUrl.trim() === "")) fail("natsUrl", "must be a NATS URL such as nats://127.0.0.1:4222", natsUrl);
  if (jwtSecret !== undefined && (typeof jwtSecret !== "string" || jwtSecret.length < MIN_SECRET_LENGTH)) {
    fail("jwtSecret", `must be a string of at least ${MIN_SECRET_LENGTH} characters`, "***");
  }
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const solvers = await loadSolvers(options.solversDir);
  return {
    dataDir,
    solvers,
    concurrency,
    ...(natsUrl ? { natsUrl: natsUrl.trim() } : {}),
    urlTtlMs,
    jwtSecret: jwtSecret ?? (await platformSecret(dataDir)),
    graceMs,
  };
}
