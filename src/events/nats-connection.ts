import { readFile } from "node:fs/promises";
import { connect, credsAuthenticator, type NatsConnection } from "nats";
import { PlatformError, UsageError } from "../errors.js";
import { redact } from "../log/redact.js";

export interface NatsConnectOptions {
  /** One URL or several, comma-separated; default $NATS_URL, then nats://127.0.0.1:4222. */
  url?: string;
  /** Default $NATS_TOKEN. A secret: never printed. */
  token?: string;
  /** A .creds file (JWT + nkey seed); default $NATS_CREDS. */
  credsFile?: string;
  /** The connection's name, as `nats server report connections` shows it. */
  name?: string;
  env?: NodeJS.ProcessEnv;
  /** How long the first connection may take. */
  connectTimeoutMs?: number;
  /** Reconnect attempts after a lost connection; -1 (the default) tries forever. */
  maxReconnectAttempts?: number;
  reconnectWaitMs?: number;
  /** Where "disconnected" / "reconnected" lines go. */
  log?: (line: string) => void;
}

export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

/** The URL (or comma-separated URLs) the options name: the option, $NATS_URL, or the default. */
export function natsUrlOf(options: Pick<NatsConnectOptions, "url" | "env">): string {
  const env = options.env ?? process.env;
  return options.url || env.NATS_URL || DEFAULT_NATS_URL;
}

/**
 * Connects to NATS with reconnects. The first connection must succeed: a failure is a
 * PlatformError (exit 3) saying where and what to check; later losses reconnect in the background.
 */
export async function connectNats(options: NatsConnectOptions = {}): Promise<NatsConnection> {
  const env = options.env ?? process.env;
  const url = natsUrlOf(options);
  const token = options.token ?? (env.NATS_TOKEN || undefined);
  const credsFile = options.credsFile ?? (env.NATS_CREDS || undefined);
  const secrets = [token, ...userInfoSecrets(url)].filter((s): s is string => Boolean(s));
  const shown = redact(shownNatsUrl({ url }), secrets);
  const servers = url.split(",").map((s) => s.trim()).filter(Boolean);
  for (const server of servers) checkServerUrl(server, redact(server, secrets));

  let authenticator;
  if (credsFile) {
    let creds: Buffer;
    try {
      creds = await readFile(credsFile);
    } catch (error) {
      throw new UsageError(`NATS credentials file ${credsFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
    authenticator = credsAuthenticator(new Uint8Array(creds));
  }

  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      ...(token ? { token } : {}),
      ...(authenticator ? { authenticator } : {}),
      ...(options.name ? { name: options.name } : {}),
      timeout: options.connectTimeoutMs ?? 5000,
      maxReconnectAttempts: options.maxReconnectAttempts ?? -1,
      reconnectTimeWait: options.reconnectWaitMs ?? 2000,
      waitOnFirstConnect: false,
    });
  } catch (error) {
    throw new PlatformError(`NATS at ${shown}: ${connectHint(error)}`, { cause: error });
  }
  if (options.log) void reportStatus(nc, shown, options.log);
  return nc;
}

/** The URL for messages: a password or token in it shows as ***. */
export function shownNatsUrl(options: Pick<NatsConnectOptions, "url" | "env">): string {
  return natsUrlOf(options).replace(/\/\/([^@/:]+)(:[^@/]*)?@/g, (_, user: string, pass?: string) => (pass ? `//${user}:***@` : "//***@"));
}

/** Whether the connected server is at least `version` ("2.11.0"): some protocol features depend on it. */
export function serverAtLeast(nc: NatsConnection, version: string): boolean {
  const have = (nc.info?.version ?? "0.0.0").split(/[.-]/).map(Number);
  const want = version.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const h = have[i] ?? 0;
    const w = want[i] ?? 0;
    if (h !== w) return h > w;
  }
  return true;
}

async function reportStatus(nc: NatsConnection, url: string, log: (line: string) => void): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === "disconnect") log(`NATS at ${url}: connection lost; reconnecting`);
    else if (status.type === "reconnect") log(`NATS at ${url}: reconnected`);
    else if (status.type === "error") log(`NATS at ${url}: ${String(status.data)}`);
  }
}

function checkServerUrl(server: string, shown: string): void {
  const withScheme = /^[a-z]+:\/\//i.test(server) ? server : `nats://${server}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new UsageError(`NATS URL ${JSON.stringify(shown)} is not a URL; use e.g. nats://127.0.0.1:4222`);
  }
  if (!["nats:", "tls:", "ws:", "wss:"].includes(parsed.protocol)) {
    throw new UsageError(`NATS URL ${JSON.stringify(shown)}: "${parsed.protocol}" is not a NATS scheme; use nats://host:4222`);
  }
}

function userInfoSecrets(url: string): string[] {
  const out: string[] = [];
  for (const m of url.matchAll(/\/\/([^@/]+)@/g)) {
    const info = decodeURIComponent(m[1] ?? "");
    const colon = info.indexOf(":");
    // "user:pass" → the password; a lone "token@" is the token itself.
    out.push(colon >= 0 ? info.slice(colon + 1) : info, m[1] ?? "");
  }
  return out.filter((s) => s.length >= 4);
}

function connectHint(error: unknown): string {
  const code = (error as { code?: string }).code ?? "";
  const message = error instanceof Error ? error.message : String(error);
  if (code === "CONNECTION_REFUSED" || /ECONNREFUSED/.test(message)) {
    return "connection refused; is nats-server running there? (start one with `nats-server -js`)";
  }
  if (code === "AUTHORIZATION_VIOLATION" || /authorization/i.test(message)) {
    return "the server refused the credentials (check the token, NATS_TOKEN or the creds file)";
  }
  if (code === "TIMEOUT" || /timeout/i.test(message)) return "no answer in time; check the host, the port and the firewall";
  return `cannot connect (${code || message})`;
}
