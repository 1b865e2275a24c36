import { resolve } from "node:path";
import { wholeNumber } from "../config/whole-number.js";
import { parseDuration } from "../config/duration.js";
import { readSecretFile } from "../config/read-secret-file.js";
import { UsageError } from "../errors.js";
import { PLATFORM_FLAGS, servePlatform } from "./serve-platform.js";
import { untilAborted } from "./until-aborted.js";
import { makeFolder } from "../fs/make-folder.js";
import { MIN_JWT_SECRET_LENGTH, type ServerAuth } from "../server/server-options.js";

export interface ServeFlags {
  port: string;
  host: string;
  data: string;
  token?: string;
  tokenFile?: string;
  jwtSecret?: string;
  jwtSecretFile?: string;
  faultRate?: string;
  latencyMs?: string;
  uploadBytesPerSecond?: string;
  v1Only?: boolean;
  socketIo: boolean;
  /** The local platform (docs/local-platform.md): solver types, one per sub-folder. */
  solvers?: string;
  concurrency?: string;
  nats?: string;
  urlTtl?: string;
  grace?: string;
}

/** `physicsworks-solve serve`: the reference platform server, or with --solvers the local platform, until SIGINT/SIGTERM. */
export async function serveCommand(flags: ServeFlags, signal: AbortSignal): Promise<number> {
  const port = wholeNumber(flags.port, "--port", 0, 65535);
  if (flags.solvers !== undefined) {
    const jwtSecret = await secretOf(flags.jwtSecret, flags.jwtSecretFile, "--jwtSecretFile", "PHYSICSWORKS_JWT_SECRET");
    await dataFolder(flags.data);
    return servePlatform(flags, port, jwtSecret, signal);
  }
  for (const flag of PLATFORM_FLAGS) {
    if (flags[flag] !== undefined) throw new UsageError(`--${flag} is a flag of the local platform: add --solvers DIR (a folder of solver types), or leave --${flag} out`);
  }
  const { startServer } = await import("../server/index.js");
  const faultRate = flags.faultRate === undefined ? 0 : Number(flags.faultRate);
  if (!(faultRate >= 0 && faultRate <= 1)) throw new UsageError(`--faultRate must be a share from 0 to 1 (got ${JSON.stringify(flags.faultRate)})`);
  const latencyMs = flags.latencyMs === undefined ? 0 : wholeNumber(flags.latencyMs, "--latencyMs", 0, 600_000);
  const uploadBytesPerSecond =
    flags.uploadBytesPerSecond === undefined ? 0 : wholeNumber(flags.uploadBytesPerSecond, "--uploadBytesPerSecond", 0, Number.MAX_SAFE_INTEGER);
  const token = await secretOf(flags.token, flags.tokenFile, "--tokenFile", "PHYSICSWORKS_TOKEN");
  const jwtSecret = await secretOf(flags.jwtSecret, flags.jwtSecretFile, "--jwtSecretFile", "PHYSICSWORKS_JWT_SECRET");
  let auth: ServerAuth;
  if (jwtSecret) auth = token ? { jwtSecret, token } : { jwtSecret };
  else if (token) auth = { token };
  else {
    throw new UsageError("serve needs a token runners must send (--token, --tokenFile or PHYSICSWORKS_TOKEN) or a JWT secret (--jwtSecret, --jwtSecretFile or PHYSICSWORKS_JWT_SECRET)");
  }
  await dataFolder(flags.data);
  const server = await startServer({
    dataDir: resolve(flags.data),
    port,
    host: flags.host,
    ...auth,
    faultRate,
    latencyMs,
    uploadBytesPerSecond,
    v2: !flags.v1Only,
    socketIo: flags.socketIo,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  // startServer's log has already said where it listens; stdout gets the bare URL for scripts.
  process.stdout.write(`${server.url}\n`);
  await untilAborted(signal);
  await server.close();
  return 0;
}

/** `physicsworks-solve token`: mints a JWT for a server started with --jwtSecret. */
export async function tokenCommand(flags: { sub: string; scope: string; expiresIn: string; jwtSecret?: string; jwtSecretFile?: string }): Promise<number> {
  const { mintToken } = await import("../server/index.js");
  const secret = await secretOf(flags.jwtSecret, flags.jwtSecretFile, "--jwtSecretFile", "PHYSICSWORKS_JWT_SECRET");
  if (!secret) throw new UsageError("token needs the server's secret: --jwtSecret, --jwtSecretFile or PHYSICSWORKS_JWT_SECRET");
  // A token no server would take: serve refuses a shorter secret.
  if (secret.length < MIN_JWT_SECRET_LENGTH) throw new UsageError(`the secret must be at least ${MIN_JWT_SECRET_LENGTH} characters, as serve requires (got ${secret.length})`);
  const seconds = Math.round(parseDuration(flags.expiresIn, "--expiresIn") / 1000);
  const scope = flags.scope.split(/[\s,]+/).filter(Boolean);
  process.stdout.write(`${mintToken(secret, { sub: flags.sub, scope, expiresIn: seconds })}\n`);
  return 0;
}

/** A secret from its file (preferred: argv is visible to others), else the flag, else the environment. */
async function secretOf(value: string | undefined, file: string | undefined, fileFlag: string, envName: string): Promise<string | undefined> {
  return file ? readSecretFile(file, fileFlag) : (value ?? process.env[envName]);
}

/**
 * --data made (or found) a folder before the server starts: the server would make it too, but a
 * file in the way would then escape as an internal error instead of naming the flag.
 */
function dataFolder(path: string): Promise<void> {
  return makeFolder(resolve(path), (code, cause) => new UsageError(`--data: cannot use ${path} as the data folder (${code}); name a folder, or a path where one can be made`, { cause }));
}

