import { abortErrorOf, ConfigError } from "../errors.js";
import { retryTransient, type RetryPolicy } from "./retry-policy.js";

export interface RetryInfo {
  /** The try that failed, from 1. */
  attempt: number;
  tries: number;
  /** How long the next try waits. */
  delayMs: number;
  /** How long the call has waited between its tries so far, this wait not counted. */
  waitedMs: number;
  error: unknown;
}

export interface RetryOptions {
  /** Tries in all, the first included. */
  tries: number;
  baseDelayMs: number;
  /** The ceiling of the backoff; a Retry-After is not held to it (see maxRetryAfterMs). */
  maxDelayMs: number;
  /** The longest Retry-After honoured as asked; a longer one is waited for this long. */
  maxRetryAfterMs: number;
  /** Waits; injectable so tests do not sleep. Should settle early when `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1): the jitter. */
  random: () => number;
  signal?: AbortSignal;
  onRetry?: (info: RetryInfo) => void;
  /** Which failures are retried; the default retries connection errors, timeouts, 408, 429, 5xx. */
  policy: RetryPolicy;
}

export const RETRY_DEFAULTS = {
  tries: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  // The platform knows its own load better than our backoff does, so its Retry-After is honoured
  // well past maxDelayMs; the bound only keeps a broken header (Retry-After: 86400, or a date a year
  // ahead) from parking a job node for hours. An abort still ends any wait at once.
  maxRetryAfterMs: 600_000,
} as const;

/**
 * Runs `fn` until it succeeds, fails in a way the policy does not retry, or the tries are
 * used up; then throws its last error. Waits with exponential backoff and full jitter, or
 * as long as the platform's Retry-After asks (up to maxRetryAfterMs). An abort ends the
 * wait at once with an AbortError.
 */
export function withRetry<T>(fn: (attempt: number) => Promise<T>, options: Partial<RetryOptions> = {}): Promise<T> {
  try {
    return withCheckedRetry(fn, resolveRetryOptions(options));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The same with options already resolved (and checked) by resolveRetryOptions: for calls made thousands of times. */
export async function withCheckedRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  let waitedMs = 0;
  for (let attempt = 1; ; attempt++) {
    if (o.signal?.aborted) throw abortErrorOf(o.signal);
    try {
      return await fn(attempt);
    } catch (error) {
      if (o.signal?.aborted) throw abortErrorOf(o.signal);
      if (attempt >= o.tries) throw error;
      const decision = o.policy(error);
      if (!decision.retry) throw error;
      if (decision.tries !== undefined && attempt >= decision.tries) throw error;
      const delayMs = retryDelay(attempt, decision.afterMs, o);
      o.onRetry?.({ attempt, tries: Math.min(o.tries, decision.tries ?? o.tries), delayMs, waitedMs, error });
      await untilAborted(o.sleep(delayMs, o.signal), o.signal);
      waitedMs += delayMs;
    }
  }
}

/**
 * The wait after failed try `attempt` (from 1): as long as the platform's Retry-After asked
 * (`afterMs`, held to maxRetryAfterMs), else the backoff.
 */
export function retryDelay(
  attempt: number,
  afterMs: number | undefined,
  o: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs" | "maxRetryAfterMs" | "random">,
): number {
  return afterMs !== undefined ? Math.min(afterMs, o.maxRetryAfterMs) : backoffDelay(attempt - 1, o);
}

/** Full jitter: anywhere between 0 and the exponential ceiling, so many runners do not retry in step. */
export function backoffDelay(
  retryIndex: number,
  o: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs" | "random">,
): number {
  const ceiling = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** retryIndex);
  return Math.floor(o.random() * ceiling);
}

export function resolveRetryOptions(options: Partial<RetryOptions>): RetryOptions {
  const o: RetryOptions = {
    ...RETRY_DEFAULTS,
    sleep,
    random: Math.random,
    policy: retryTransient,
    ...definedOnly(options),
  };
  if (!Number.isInteger(o.tries) || o.tries < 1) throw badOption("tries", "an integer of at least 1", o.tries);
  if (!(o.baseDelayMs >= 0)) throw badOption("baseDelayMs", "a number of at least 0", o.baseDelayMs);
  if (!(o.maxDelayMs >= 0)) throw badOption("maxDelayMs", "a number of at least 0", o.maxDelayMs);
  if (!(o.maxRetryAfterMs >= 0)) throw badOption("maxRetryAfterMs", "a number of at least 0", o.maxRetryAfterMs);
  return o;
}

/** A timer that an abort clears, so an aborted run does not wait out its backoff. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortErrorOf(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortErrorOf(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** An injected sleep may ignore the signal; the abort still ends the wait. */
function untilAborted(wait: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return wait;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortErrorOf(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    wait.then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function badOption(name: string, expected: string, value: unknown): ConfigError {
  return new ConfigError(`retry option "${name}" must be ${expected} (got ${String(value)})`);
}
