import { PlatformError } from "../errors.js";
import { redact } from "../log/redact.js";
import { refusedAnswer } from "./retry-policy.js";

export interface CallErrorOptions {
  status?: number;
  /** A clean error (message and code only): never anything of the request, whose headers carry the token. */
  cause?: Error;
  retryAfterMs?: number;
  /** Scrubbed from the message and the cause's message. */
  secrets: readonly string[];
}

/**
 * A platform call that failed. The message names the call, e.g.
 * `update run (PUT simulation/run/update/sim1/run9): the platform answered 503 Service Unavailable`.
 */
export class PlatformCallError extends PlatformError {
  /** "update run (PUT simulation/run/update/sim1/run9)". */
  readonly call: string;
  /** What went wrong, without the call. */
  readonly reason: string;
  /** What the platform's Retry-After asked for; read by the retry policy. */
  readonly retryAfterMs: number | undefined;
  /** The platform answered and refused the call: sending it again would be refused again (see refusedAnswer). */
  readonly refused: boolean;

  constructor(call: string, reason: string, options: CallErrorOptions) {
    const cause = options.cause && cleanError(options.cause, options.secrets);
    super(redact(`${call}: ${reason}`, options.secrets), {
      ...(cause ? { cause } : {}),
      ...(options.status !== undefined ? { status: options.status } : {}),
    });
    this.call = call;
    this.reason = redact(reason, options.secrets);
    this.retryAfterMs = options.retryAfterMs;
    this.refused = refusedAnswer(this);
  }
}

/** v2: the platform holds a different offset for this upload; resume from `offset`. */
export class UploadOffsetConflict extends PlatformCallError {
  readonly offset: number;
  constructor(call: string, offset: number, sent: number, secrets: readonly string[]) {
    super(call, `the platform holds ${offset} bytes of this upload, not ${sent} (409); resume from ${offset}`, {
      status: 409,
      secrets,
    });
    this.offset = offset;
  }
}

/** A copy with the message and code only, redacted. */
export function cleanError(error: Error, secrets: readonly string[]): Error {
  const clean = new Error(redact(error.message, secrets));
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") Object.assign(clean, { code });
  if (error.stack) clean.stack = redact(error.stack, secrets);
  return clean;
}
