import type { RetryInfo } from "../platform/retry.js";
import type { RunContext } from "./run-context.js";

/**
 * A call that will have waited this long between its tries is told on the terminal too: past the
 * odd failure a platform under load gives (a 429, a 503 the next try gets past), it keeps failing.
 */
const WARN_AFTER_WAITING_MS = 10_000;
/** At most one such warning in this time: the upload pool's calls fail together. */
const WARN_EVERY_MS = 30_000;

/**
 * Tells of the platform calls tried again, so that a platform that does not answer is not a long
 * silence: each retry is an info line (runner.log; the terminal with --debugMode), and a call that
 * has been failing for WARN_AFTER_WAITING_MS is also a warning, at most every WARN_EVERY_MS.
 */
export function retryNotice(ctx: Pick<RunContext, "emit" | "warn">, now: () => number = Date.now): (info: RetryInfo) => void {
  let warnedAt = -Infinity;
  return ({ attempt, tries, delayMs, waitedMs, error }) => {
    const reason = error instanceof Error ? error.message : String(error);
    const line = `${reason}; trying again in ${(delayMs / 1000).toFixed(1)} s (try ${attempt + 1} of ${tries})`;
    ctx.emit({ type: "info", message: line });
    if (waitedMs + delayMs >= WARN_AFTER_WAITING_MS && now() - warnedAt >= WARN_EVERY_MS) {
      warnedAt = now();
      ctx.warn(`the platform keeps failing a call (${Math.round((waitedMs + delayMs) / 1000)} s of waits by the next try): ${line}`);
    }
  };
}
