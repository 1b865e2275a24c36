/**
 * protocol.md part 2 #10, for what the runner repeats itself: a live file sent again from its start
 * after an append that got no answer waits as the client waits between its own tries (the client's
 * retryDelay), and the client marks a refusal once, for the uploader to read (`refused`).
 */
import { describe, expect, it } from "vitest";
import { createPlatformClient, PlatformCallError, retryDelay, retryTransient } from "../../src/platform/index.js";

const tuning = { baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

const failure = (status: number | undefined, retryAfterMs?: number) =>
  new PlatformCallError("append to x.log (POST storage/append)", "it failed", {
    ...(status !== undefined ? { status } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    secrets: [],
  });

describe("retryDelay", () => {
  it("grows exponentially with each try, up to maxDelayMs", () => {
    const top = { ...tuning, random: () => 0.999999 };
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => retryDelay(attempt, undefined, top))).toEqual([99, 199, 399, 799, 999, 999, 999]);
  });

  it("full jitter: anywhere from 0 to the try's ceiling, never above it", () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const ceiling = Math.min(tuning.maxDelayMs, tuning.baseDelayMs * 2 ** (attempt - 1));
      const seen = new Set<number>();
      for (let i = 0; i < 200; i++) {
        const r = i / 200;
        const d = retryDelay(attempt, undefined, { ...tuning, random: () => r });
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceiling);
        seen.add(d);
      }
      // Spread over the range, not one fixed pause.
      expect(seen.size).toBeGreaterThan(50);
      expect(retryDelay(attempt, undefined, { ...tuning, random: () => 0 })).toBe(0);
    }
  });

  it("waits as long as Retry-After asks, past maxDelayMs, held to maxRetryAfterMs", () => {
    const o = { ...tuning, random: () => 0.5 };
    expect(retryDelay(1, 3000, o)).toBe(3000);
    expect(retryDelay(4, 0, o)).toBe(0);
    expect(retryDelay(1, 60_000, o)).toBe(5000);
  });
});

describe("the client's retryDelay, for a caller's own repeats", () => {
  it("uses the client's retry tuning and jitter, and the Retry-After the error carries", () => {
    const client = createPlatformClient({ host: "http://127.0.0.1:9/", token: "t", retry: { ...tuning, random: () => 0.5 } });
    try {
      expect(client.retryDelay(1, failure(502, 3000))).toBe(3000);
      expect(client.retryDelay(1, failure(502, 60_000))).toBe(5000);
      expect([1, 2, 3, 4, 5].map((attempt) => client.retryDelay(attempt, failure(502)))).toEqual([50, 100, 200, 400, 500]);
      // A dropped connection (no status, no Retry-After): the backoff.
      expect(client.retryDelay(2, failure(undefined))).toBe(100);
    } finally {
      client.close();
    }
  });
});

describe("PlatformCallError.refused", () => {
  it("marks the answers the retry policy would never retry: a 4xx other than 408 and 429", () => {
    for (const status of [400, 401, 403, 404, 409, 413, 422]) expect(failure(status).refused, String(status)).toBe(true);
    for (const status of [408, 429, 500, 502, 503, 504]) expect(failure(status).refused, String(status)).toBe(false);
    expect(failure(undefined).refused).toBe(false);
  });

  it("is the retry policy's rule, not a second copy of it", () => {
    for (let status = 400; status < 600; status++) {
      expect(failure(status).refused, String(status)).toBe(!retryTransient({ status }).retry);
    }
  });
});
