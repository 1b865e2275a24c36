/**
 * Which failures are worth another try. Errors are read by shape, not class, so the
 * policy works for the client's PlatformCallErrors and for raw Node errors:
 * `status` (an HTTP status), `code` (a Node code, also on any `cause`),
 * `retryAfterMs` (from a Retry-After header).
 */

export interface RetryDecision {
  retry: boolean;
  /** The delay the platform asked for (Retry-After), when it did. */
  afterMs?: number;
  /** Tries in all for this failure, when fewer than the caller's (a failure that is seldom transient). */
  tries?: number;
}

export type RetryPolicy = (error: unknown) => RetryDecision;

/** The code of the client's own connect timeout (see connect-timeout.ts). */
export const CONNECT_TIMEOUT_CODE = "ERR_CONNECT_TIMEOUT";
/** The code of the client's own response timeout: silence on a connected socket (see http.ts). */
export const RESPONSE_TIMEOUT_CODE = "ERR_RESPONSE_TIMEOUT";

/**
 * Failures that happen before the request reaches the platform: it certainly was not applied.
 * EAI_AGAIN is the resolver saying "try again" (a DNS server slow or restarting): on clusters a
 * common hiccup, so it gets the whole backoff like a refused connection.
 */
const UNDELIVERED_CODES = new Set([
  "ECONNREFUSED",
  CONNECT_TIMEOUT_CODE,
  "EAI_AGAIN",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTUNREACH",
  "EHOSTDOWN",
]);

/** Failures of the connection: the request may be sent again. */
const CONNECTION_CODES = new Set([
  ...UNDELIVERED_CODES,
  RESPONSE_TIMEOUT_CODE,
  "ECONNRESET",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EPIPE",
  "ERR_STREAM_PREMATURE_CLOSE",
]);

/**
 * ENOTFOUND (getaddrinfo's EAI_NONAME or EAI_NODATA) is what a typo'd "host" gives, and a wrong host
 * stays wrong; but on clusters a resolver that is restarting, or a node-local DNS cache, answers "no
 * such name" for a moment too. So it is retried, bounded: this many tries in all, about 1.5 s of
 * backoff at the defaults rather than the whole backoff before a typo is reported. The request
 * never left, so retryUndelivered takes it as well.
 */
export const NOT_FOUND_TRIES = 3;
const NOT_FOUND_CODE = "ENOTFOUND";

/** Statuses that say "not now": the request was not processed. */
const UNDELIVERED_STATUSES = new Set([408, 429, 503]);

/** The default: connection errors, timeouts, 408, 429 and 5xx are retried; anything else is not. */
export const retryTransient: RetryPolicy = (error) => {
  const status = statusOf(error);
  if (status !== undefined) return decide(status === 408 || status === 429 || (status >= 500 && status <= 599), error);
  const codes = codesOf(error);
  const hungUp = messagesOf(error).some((m) => /socket hang up/i.test(m));
  return byCode(codes, CONNECTION_CODES, hungUp);
};

/**
 * The platform answered and said no: a failure status the default policy does not retry (a 4xx
 * other than 408 and 429). Nothing was applied, and the same request would be refused again, so
 * a caller that repairs failures itself (a live file sent again from its start) gives up at once.
 */
export function refusedAnswer(error: unknown): boolean {
  return statusOf(error) !== undefined && !retryTransient(error).retry;
}

/**
 * For calls that must not be applied twice (appends carry no offset): retried only when
 * the request surely did not reach the platform's handler. A lost answer is the caller's
 * to repair (protocol.md: the file is sent again from its start).
 */
export const retryUndelivered: RetryPolicy = (error) => {
  const status = statusOf(error);
  if (status !== undefined) return decide(UNDELIVERED_STATUSES.has(status), error);
  return byCode(codesOf(error), UNDELIVERED_CODES, false);
};

function byCode(codes: string[], retried: ReadonlySet<string>, alsoRetried: boolean): RetryDecision {
  if (alsoRetried || codes.some((c) => retried.has(c))) return { retry: true };
  if (codes.includes(NOT_FOUND_CODE)) return { retry: true, tries: NOT_FOUND_TRIES };
  return { retry: false };
}

function decide(retry: boolean, error: unknown): RetryDecision {
  const afterMs = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return retry && typeof afterMs === "number" ? { retry, afterMs } : { retry };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/** The error and its causes, a few levels deep. */
function chain(error: unknown): object[] {
  const out: object[] = [];
  let current: unknown = error;
  while (current !== null && typeof current === "object" && out.length < 5) {
    out.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

function codesOf(error: unknown): string[] {
  return chain(error)
    .map((e) => (e as { code?: unknown }).code)
    .filter((c): c is string => typeof c === "string");
}

function messagesOf(error: unknown): string[] {
  return chain(error)
    .map((e) => (e as { message?: unknown }).message)
    .filter((m): m is string => typeof m === "string");
}
