import { resolve } from "node:path";
import { wholeNumber } from "../config/whole-number.js";
import { parseDuration } from "../config/duration.js";
import { UsageError } from "../errors.js";
import type { PlatformOptions } from "../local-platform/index.js";
import type { ServeFlags } from "./serve-command.js";
import { untilAborted } from "./until-aborted.js";

/** The flags only the local platform takes; without --solvers each is refused. */
export const PLATFORM_FLAGS = ["concurrency", "nats", "urlTtl", "grace"] as const;

/** The protocol server's flags the platform does not take; with --solvers each is refused. */
const SERVER_ONLY_FLAGS = [
  ["token", "users log in with their own tokens (register at /api/v1/auth/register); runners get job tokens from the platform"],
  ["tokenFile", "users log in with their own tokens; runners get job tokens from the platform"],
  ["faultRate", "fault injection is for the bare protocol server"],
  ["latencyMs", "added latency is for the bare protocol server"],
  ["uploadBytesPerSecond", "a slow link is for the bare protocol server"],
  ["v1Only", "the platform's runners use v2 uploads"],
] as const;

/**
 * `serve --solvers DIR`: the local platform (docs/local-platform.md), until the signal. The
 * platform signs user and runner tokens with its secret: --jwtSecret(File) or DATA/platform-secret.
 */
export async function servePlatform(flags: ServeFlags, port: number, jwtSecret: string | undefined, signal: AbortSignal): Promise<number> {
  for (const [flag, why] of SERVER_ONLY_FLAGS) {
    if (flags[flag] !== undefined && flags[flag] !== false) throw new UsageError(`--${flag} is not taken with --solvers: ${why}; leave it out`);
  }
  if (!flags.socketIo) throw new UsageError("--no-socketIo is not taken with --solvers: the dashboard's live updates need socket.io; leave it out");
  // Flags checked before the platform's modules load: a typo is told at once.
  const options: PlatformOptions = {
    dataDir: resolve(flags.data),
    solversDir: flags.solvers as string,
    port,
    host: flags.host,
    ...(flags.concurrency !== undefined ? { concurrency: wholeNumber(flags.concurrency, "--concurrency", 1, 256) } : {}),
    ...(flags.nats !== undefined ? { natsUrl: natsUrl(flags.nats) } : {}),
    ...(flags.urlTtl !== undefined ? { urlTtlMs: durationOf(flags.urlTtl, "--urlTtl", 1000) } : {}),
    ...(flags.grace !== undefined ? { graceMs: durationOf(flags.grace, "--grace", 0) } : {}),
    ...(jwtSecret ? { jwtSecret } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  };
  const { startPlatform } = await import("../local-platform/index.js");
  const platform = await startPlatform(options);
  process.stderr.write(`physicsworks platform: dashboard at ${platform.url}, job API at ${platform.url}api/v1/, ${platform.deps.settings.solvers.size} solver type(s)\n`);
  process.stdout.write(`${platform.url}\n`);
  await untilAborted(signal);
  await platform.close();
  return 0;
}


function durationOf(value: string, flag: string, minMs: number): number {
  const ms = parseDuration(value, flag);
  if (ms < minMs) throw new UsageError(`${flag} must be at least ${minMs / 1000}s (got ${JSON.stringify(value)})`);
  return ms;
}

function natsUrl(value: string): string {
  if (!/^(nats|tls|wss?):\/\//.test(value.trim())) {
    throw new UsageError(`--nats must be a NATS URL such as nats://127.0.0.1:4222 (got ${JSON.stringify(value.replace(/\/\/[^@/]*@/, "//***@"))})`);
  }
  return value.trim();
}
