export {
  createPlatformClient,
  CLIENT_DEFAULTS,
  type PlatformClient,
  type PlatformClientOptions,
  type ClientRetryOptions,
} from "./client.js";
export type { AppendFileInput, UploadChunkInput, DownloadOptions } from "./storage-calls.js";
export type { UploadBytes } from "./upload-calls.js";
export type { DownloadProgress } from "./download-file.js";
export { PlatformCallError, UploadOffsetConflict } from "./call-error.js";
export { withRetry, backoffDelay, retryDelay, sleep, RETRY_DEFAULTS, type RetryOptions, type RetryInfo } from "./retry.js";
export { retryTransient, retryUndelivered, type RetryPolicy, type RetryDecision } from "./retry-policy.js";
export { parseRetryAfter } from "./retry-after.js";
export { base64JsonForm, type StreamBody } from "./form-body.js";
export * from "./types.js";
