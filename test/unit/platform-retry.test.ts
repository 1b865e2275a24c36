import { describe, expect, it } from "vitest";
import { AbortError, ConfigError } from "../../src/errors.js";
import {
  backoffDelay,
  parseRetryAfter,
  retryTransient,
  retryUndelivered,
  withRetry,
  type RetryInfo,
} from "../../src/platform/index.js";

const withCode = (code: string) => Object.assign(new Error(code), { code });
const withStatus = (status: number, retryAfterMs?: number) => Object.assign(new Error(String(status)), { status, retryAfterMs });

/** A sleep that records and returns at once. */
function recorder() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

/** Fails with the given errors in turn, then answers "ok". */
function failing(...errors: unknown[]) {
  let calls = 0;
  const fn = async () => {
    const error = errors[calls++];
    if (error !== undefined) throw error;
    return "ok";
  };
  return { fn, calls: () => calls };
}

describe("withRetry", () => {
  it("retries transient failures with full-jitter exponential backoff", async () => {
    const { delays, sleep } = recorder();
    const { fn, calls } = failing(withCode("ECONNRESET"), withStatus(503), withStatus(429), withStatus(408));
    await expect(withRetry(fn, { sleep, random: () => 0.5 })).resolves.toBe("ok");
    expect(calls()).toBe(5);
    expect(delays).toEqual([250, 500, 1000, 2000]);
  });

  it("caps the backoff ceiling at maxDelayMs", () => {
    const o = { baseDelayMs: 500, maxDelayMs: 30_000, random: () => 0.999999 };
    expect(backoffDelay(0, o)).toBe(499);
    expect(backoffDelay(5, o)).toBe(15_999);
    expect(backoffDelay(10, o)).toBe(29_999);
    expect(backoffDelay(3, { ...o, random: () => 0 })).toBe(0);
  });

  it("waits as long as Retry-After asks, capped at maxDelayMs", async () => {
    const { delays, sleep } = recorder();
    const { fn } = failing(withStatus(503, 2000), withStatus(429, 120_000));
    await withRetry(fn, { sleep, random: () => 0 });
    expect(delays).toEqual([2000, 30_000]);
  });

  it("does not retry other 4xx, nor errors it does not know", async () => {
    for (const error of [withStatus(400), withStatus(404), withStatus(401), new TypeError("bug"), withCode("ENOTFOUND")]) {
      const { fn, calls } = failing(error);
      await expect(withRetry(fn, { sleep: recorder().sleep })).rejects.toBe(error);
      expect(calls()).toBe(1);
    }
  });

  it("throws the last error once the tries are used up, and reports each retry", async () => {
    const infos: RetryInfo[] = [];
    const last = withStatus(502);
    const { fn, calls } = failing(withStatus(500), withStatus(500), last);
    await expect(
      withRetry(fn, { tries: 3, sleep: recorder().sleep, random: () => 1, onRetry: (i) => infos.push(i) }),
    ).rejects.toBe(last);
    expect(calls()).toBe(3);
    expect(infos.map((i) => [i.attempt, i.tries, i.delayMs])).toEqual([
      [1, 3, 500],
      [2, 3, 1000],
    ]);
  });

  it("stops waiting at once when the signal aborts, even if the injected sleep does not", async () => {
    const controller = new AbortController();
    const never = () => new Promise<void>(() => {});
    const { fn, calls } = failing(withStatus(503), withStatus(503));
    const run = withRetry(fn, { sleep: never, signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    const started = Date.now();
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(calls()).toBe(1);
  });

  it("the default sleep ends early on abort", async () => {
    const controller = new AbortController();
    const { fn } = failing(withStatus(503, 20_000));
    const run = withRetry(fn, { signal: controller.signal });
    setTimeout(() => controller.abort(new AbortError("SIGTERM", "stop")), 10);
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).reason).toBe("SIGTERM");
  });

  it("does not start when already aborted", async () => {
    const { fn, calls } = failing();
    await expect(withRetry(fn, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(calls()).toBe(0);
  });

  it("checks its options and names the bad one", async () => {
    await expect(withRetry(async () => 1, { tries: 0 })).rejects.toThrow(ConfigError);
    await expect(withRetry(async () => 1, { tries: 0 })).rejects.toThrow('retry option "tries" must be an integer of at least 1 (got 0)');
    await expect(withRetry(async () => 1, { baseDelayMs: -1 })).rejects.toThrow('"baseDelayMs"');
  });
});

describe("retry policies", () => {
  it("retryTransient: connection errors, timeouts, 408, 429, 5xx", () => {
    for (const code of ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ECONNABORTED", "ERR_CONNECT_TIMEOUT"]) {
      expect(retryTransient(withCode(code)).retry, code).toBe(true);
    }
    expect(retryTransient(new Error("socket hang up")).retry).toBe(true);
    expect(retryTransient(Object.assign(new Error("wrapped"), { cause: withCode("ECONNRESET") })).retry).toBe(true);
    for (const status of [408, 429, 500, 502, 503, 504]) expect(retryTransient(withStatus(status)).retry, String(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 413, 422]) expect(retryTransient(withStatus(status)).retry, String(status)).toBe(false);
    expect(retryTransient(withStatus(503, 1500))).toEqual({ retry: true, afterMs: 1500 });
  });

  it("retryUndelivered: only failures that kept the request from the platform", () => {
    for (const error of [withCode("ECONNREFUSED"), withCode("ERR_CONNECT_TIMEOUT"), withStatus(503), withStatus(429), withStatus(408)]) {
      expect(retryUndelivered(error).retry).toBe(true);
    }
    for (const error of [withCode("ECONNRESET"), withCode("ETIMEDOUT"), new Error("socket hang up"), withStatus(500), withStatus(502), withStatus(504)]) {
      expect(retryUndelivered(error).retry).toBe(false);
    }
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    const now = Date.parse("2030-01-01T00:00:00Z");
    expect(parseRetryAfter("2", now)).toBe(2000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Tue, 01 Jan 2030 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Mon, 31 Dec 2029 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-3", now)).toBeUndefined();
  });
});
