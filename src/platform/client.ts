import { normalizeHost } from "../config/host-url.js";
import { ConfigError } from "../errors.js";
import { createFormCodec } from "../form-codec/form-codec.js";
import type { CallContext } from "./call.js";
import { createHttp } from "./http.js";
import { proxyFor } from "./proxy-env.js";
import { PlatformCallError } from "./call-error.js";
import { resolveRetryOptions, retryDelay, type RetryOptions } from "./retry.js";
import * as run from "./run-calls.js";
import * as storage from "./storage-calls.js";
import type { AppendFileInput, DownloadOptions, UploadChunkInput } from "./storage-calls.js";
import type {
  Capabilities,
  CompleteUploadAnswer,
  OpenUploadAnswer,
  OpenUploadBody,
  ResultEntry,
  RunData,
  RunNode,
  UpdateRunBody,
  UploadOffsetAnswer,
} from "./types.js";
import * as uploads from "./upload-calls.js";
import type { UploadBytes } from "./upload-calls.js";

export interface PlatformClientOptions {
  /** The platform's address; a missing final "/" is added. */
  host: string;
  token: string;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** The longest silence while a request or its answer is under way; default 60 s. */
  responseTimeoutMs?: number;
  /** Tries, delays, sleep, jitter, onRetry. Which failures are retried is each call's own. */
  retry?: ClientRetryOptions;
  /** Aborts every call under way and every wait between tries. */
  signal?: AbortSignal;
  /** Where `https_proxy`, `http_proxy`, `all_proxy` and `no_proxy` are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** One typed method per call of protocol.md parts 1 and 3. Every failure is a PlatformError naming the call. */
export interface PlatformClient {
  /** The host, ending with "/". */
  readonly host: string;
  /** The HTTP proxy the calls go through (from the environment), for the live socket to take too. */
  readonly proxy: URL | undefined;
  readRunData(project: string, simulation: string): Promise<RunData>;
  createRun(simulation: string): Promise<RunNode>;
  updateRun(simulation: string, runId: string, body: UpdateRunBody): Promise<void>;
  /** Streams to a temporary file next to destPath, renamed into place when complete. */
  downloadFile(fileId: string, destPath: string, options?: DownloadOptions): Promise<{ bytes: number }>;
  appendFile(body: AppendFileInput): Promise<void>;
  uploadChunk(body: UploadChunkInput): Promise<void>;
  patchResults(runId: string, results: ResultEntry[]): Promise<void>;
  /** A v1-only server (404, 405, 501) gives `{uploads: ["v1"], events: []}`. */
  capabilities(): Promise<Capabilities>;
  openUpload(body: OpenUploadBody): Promise<OpenUploadAnswer>;
  sendUploadBytes(uploadId: string, offset: number, body: UploadBytes, length: number): Promise<UploadOffsetAnswer>;
  uploadOffset(uploadId: string): Promise<number>;
  completeUpload(uploadId: string): Promise<CompleteUploadAnswer>;
  /**
   * For a caller that repeats a failed call itself (a live file sent again from its start after an
   * append that got no answer): the wait after its try `attempt` (from 1), as the client waits
   * between its own tries and with the same tuning: the Retry-After `error` carries (up to
   * maxRetryAfterMs), else exponential backoff with full jitter.
   */
  retryDelay(attempt: number, error: unknown): number;
  /** Closes kept-alive connections. */
  close(): void;
}

export type ClientRetryOptions = Partial<Omit<RetryOptions, "policy" | "signal">>;

export const CLIENT_DEFAULTS = {
  connectTimeoutMs: 10_000,
  responseTimeoutMs: 60_000,
} as const;

export function createPlatformClient(options: PlatformClientOptions): PlatformClient {
  const host = normalizeHost(options.host, 'platform client: "host"');
  const connectTimeoutMs = checkTimeout("connectTimeoutMs", options.connectTimeoutMs ?? CLIENT_DEFAULTS.connectTimeoutMs);
  const responseTimeoutMs = checkTimeout("responseTimeoutMs", options.responseTimeoutMs ?? CLIENT_DEFAULTS.responseTimeoutMs);
  const retry = resolveRetryOptions(options.retry ?? {});
  const proxy = proxyOf(host, options.env ?? process.env);
  const http = createHttp({ host, token: options.token, connectTimeoutMs, responseTimeoutMs, ...(proxy ? { proxy } : {}) });
  const ctx: CallContext = {
    http,
    token: options.token,
    forms: createFormCodec(),
    retry,
    ...(options.signal ? { signal: options.signal } : {}),
    // Messages name the proxy's address too (never its credentials).
    origin: proxy ? `${new URL(host).origin} (through the proxy ${proxy.host})` : new URL(host).origin,
    ...(proxy ? { proxied: true } : {}),
    connectTimeoutMs,
    responseTimeoutMs,
  };
  return {
    host,
    proxy,
    readRunData: (project, simulation) => run.readRunData(ctx, project, simulation),
    createRun: (simulation) => run.createRun(ctx, simulation),
    updateRun: (simulation, runId, body) => run.updateRun(ctx, simulation, runId, body),
    downloadFile: (fileId, destPath, opts) => storage.downloadFile(ctx, fileId, destPath, opts),
    appendFile: (body) => storage.appendFile(ctx, body),
    uploadChunk: (body) => storage.uploadChunk(ctx, body),
    patchResults: (runId, results) => run.patchResults(ctx, runId, results),
    capabilities: () => uploads.capabilities(ctx),
    openUpload: (body) => uploads.openUpload(ctx, body),
    sendUploadBytes: (uploadId, offset, body, length) => uploads.sendUploadBytes(ctx, uploadId, offset, body, length),
    uploadOffset: (uploadId) => uploads.uploadOffset(ctx, uploadId),
    completeUpload: (uploadId) => uploads.completeUpload(ctx, uploadId),
    retryDelay: (attempt, error) => retryDelay(attempt, error instanceof PlatformCallError ? error.retryAfterMs : undefined, retry),
    close: () => http.close(),
  };
}

function proxyOf(host: string, env: NodeJS.ProcessEnv): URL | undefined {
  try {
    return proxyFor(new URL(host), env);
  } catch (error) {
    throw new ConfigError(`platform client: ${error instanceof Error ? error.message : String(error)} (from https_proxy, http_proxy or all_proxy)`);
  }
}

function checkTimeout(name: string, value: number): number {
  if (Number.isFinite(value) && value > 0) return value;
  throw new ConfigError(`platform client: "${name}" must be a number of milliseconds above 0 (got ${String(value)})`);
}
