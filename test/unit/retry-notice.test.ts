import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/run-events.js";
import { retryNotice } from "../../src/stages/retry-notice.js";

describe("retryNotice", () => {
  it("tells every retry as info, and a call failing for 10 s of waits as a warning, at most every 30 s", () => {
    const events: RunEvent[] = [];
    const warnings: string[] = [];
    let clock = 0;
    const notice = retryNotice({ emit: (e) => events.push(e), warn: (m) => warnings.push(m) }, () => clock);
    const error = new Error("update run (PUT simulation/run/update/s/r): the platform answered 503 Service Unavailable");
    notice({ attempt: 1, tries: 6, delayMs: 400, waitedMs: 0, error });
    notice({ attempt: 2, tries: 6, delayMs: 900, waitedMs: 400, error });
    expect(events).toEqual([
      { type: "info", message: `${error.message}; trying again in 0.4 s (try 2 of 6)` },
      { type: "info", message: `${error.message}; trying again in 0.9 s (try 3 of 6)` },
    ]);
    expect(warnings).toEqual([]);
    // A Retry-After of 12 s: this call will have waited 13.3 s.
    notice({ attempt: 3, tries: 6, delayMs: 12_000, waitedMs: 1300, error });
    expect(warnings).toEqual([`the platform keeps failing a call (13 s of waits by the next try): ${error.message}; trying again in 12.0 s (try 4 of 6)`]);
    clock += 29_000;
    notice({ attempt: 4, tries: 6, delayMs: 8000, waitedMs: 13_300, error });
    expect(warnings).toHaveLength(1);
    clock += 1000;
    notice({ attempt: 5, tries: 6, delayMs: 8000, waitedMs: 21_300, error });
    expect(warnings).toHaveLength(2);
    expect(events).toHaveLength(5);
  });
});
