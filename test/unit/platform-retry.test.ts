import { describe, expect, it } from "vitest";
import { AbortError, ConfigError } from "../../src/errors.js";
import {
  backoffDelay,
  parseRetryAfter,
  RETRY_DEFAULTS,
  retryTransient,
  retryUndelivered,
  withRetry,
  type RetryInfo,
} from "../../src/platform/index.js";
import { NOT_FOUND_TRIES } from "../../src/platform/retry-policy.js";

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

  it("waits as long as Retry-After asks, past maxDelayMs (protocol part 2 #10)", async () => {
    const { delays, sleep } = recorder();
    const { fn } = failing(withStatus(503, 2000), withStatus(429, 120_000));
    await withRetry(fn, { sleep, random: () => 0 });
    expect(RETRY_DEFAULTS.maxDelayMs).toBeLessThan(120_000);
    expect(delays).toEqual([2000, 120_000]);
  });

  it("bounds a Retry-After at maxRetryAfterMs (10 minutes by default)", async () => {
    const { delays, sleep } = recorder();
    const { fn } = failing(withStatus(503, 86_400_000), withStatus(503, 5000));
    await withRetry(fn, { sleep });
    expect(delays).toEqual([600_000, 5000]);
    const again = recorder();
    await withRetry(failing(withStatus(429, 120_000)).fn, { sleep: again.sleep, maxRetryAfterMs: 60_000 });
    expect(again.delays).toEqual([60_000]);
  });

  it("an abort cuts a long Retry-After wait short", async () => {
    const controller = new AbortController();
    const asked: number[] = [];
    const { fn, calls } = failing(withStatus(429, 120_000));
    const infos: RetryInfo[] = [];
    const run = withRetry(fn, {
      sleep: (ms) => {
        asked.push(ms);
        return new Promise<void>(() => {});
      },
      signal: controller.signal,
      onRetry: (i) => infos.push(i),
    });
    setTimeout(() => controller.abort(), 10);
    const started = Date.now();
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(asked).toEqual([120_000]);
    expect(infos.map((i) => i.delayMs)).toEqual([120_000]);
    expect(calls()).toBe(1);
  });

  it("does not retry other 4xx, nor errors it does not know", async () => {
    for (const error of [withStatus(400), withStatus(404), withStatus(401), new TypeError("bug"), withCode("EACCES")]) {
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
    await expect(withRetry(async () => 1, { maxRetryAfterMs: -1 })).rejects.toThrow('retry option "maxRetryAfterMs" must be a number of at least 0 (got -1)');
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

describe("retry policies: name resolution", () => {
  /** As the client wraps a failed lookup: a PlatformCallError-like error whose cause holds the code. */
  const lookupFailure = (code: string) =>
    Object.assign(new Error(`read run data (GET x): cannot resolve the host of http://cluster-head:3000 (${code}); check "host"`), {
      cause: Object.assign(new Error(`getaddrinfo ${code} cluster-head`), { code, syscall: "getaddrinfo" }),
    });

  it("EAI_AGAIN (the resolver's 'try again') is retried by both policies, with the whole backoff", async () => {
    for (const policy of [retryTransient, retryUndelivered]) {
      expect(policy(withCode("EAI_AGAIN"))).toEqual({ retry: true });
      expect(policy(lookupFailure("EAI_AGAIN"))).toEqual({ retry: true });
    }
    const { delays, sleep } = recorder();
    const errors = Array.from({ length: 5 }, () => lookupFailure("EAI_AGAIN"));
    const { fn, calls } = failing(...errors);
    await expect(withRetry(fn, { sleep, random: () => 0.5 })).resolves.toBe("ok");
    expect(calls()).toBe(6);
    expect(delays).toEqual([250, 500, 1000, 2000, 4000]);
  });

  it("ENOTFOUND is retried, but only NOT_FOUND_TRIES tries in all, so a typo'd host fails fast", async () => {
    expect(NOT_FOUND_TRIES).toBe(3);
    for (const policy of [retryTransient, retryUndelivered]) {
      expect(policy(withCode("ENOTFOUND"))).toEqual({ retry: true, tries: NOT_FOUND_TRIES });
      expect(policy(lookupFailure("ENOTFOUND"))).toEqual({ retry: true, tries: NOT_FOUND_TRIES });
    }
    // A hiccup: the name resolves on the second try.
    const hiccup = failing(lookupFailure("ENOTFOUND"));
    await expect(withRetry(hiccup.fn, { sleep: recorder().sleep })).resolves.toBe("ok");
    expect(hiccup.calls()).toBe(2);
    // A wrong host: three tries, about 1.5 s of backoff at the defaults, not six tries and ~15 s.
    const { delays, sleep } = recorder();
    const last = lookupFailure("ENOTFOUND");
    const typo = failing(lookupFailure("ENOTFOUND"), lookupFailure("ENOTFOUND"), last, lookupFailure("ENOTFOUND"));
    const infos: RetryInfo[] = [];
    await expect(withRetry(typo.fn, { sleep, random: () => 0.999, onRetry: (i) => infos.push(i) })).rejects.toBe(last);
    expect(typo.calls()).toBe(NOT_FOUND_TRIES);
    expect(delays).toEqual([499, 999]);
    // The retry notices count against the policy's own limit ("try 1 of 3"), not the caller's six.
    expect(infos.map((i) => [i.attempt, i.tries])).toEqual([[1, 3], [2, 3]]);
    // And against the caller's, when that is the lower.
    const twoInfos: RetryInfo[] = [];
    const twice = failing(lookupFailure("ENOTFOUND"), lookupFailure("ENOTFOUND"));
    await expect(withRetry(twice.fn, { tries: 2, sleep: recorder().sleep, onRetry: (i) => twoInfos.push(i) })).rejects.toBeInstanceOf(Error);
    expect(twoInfos.map((i) => [i.attempt, i.tries])).toEqual([[1, 2]]);
    // A caller allowing fewer tries still has the last word.
    const once = failing(lookupFailure("ENOTFOUND"));
    await expect(withRetry(once.fn, { tries: 1, sleep: recorder().sleep })).rejects.toBeInstanceOf(Error);
    expect(once.calls()).toBe(1);
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
