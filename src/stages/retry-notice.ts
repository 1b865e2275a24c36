import type { RetryInfo } from "../platform/retry.js";
import type { RunContext } from "./run-context.js";

/** From this failed try of one call on, the platform is told to be down on the terminal too. */
const WARN_FROM_ATTEMPT = 3;
/** At most one such warning in this time: the upload pool's calls fail together. */
const WARN_EVERY_MS = 30_000;

/**
 * Tells of the platform calls tried again, so that a platform that does not answer is not a long
 * silence: each retry is an info line (runner.log; the terminal with --debugMode), and a call that
 * failed WARN_FROM_ATTEMPT times in a row is also a warning, at most every WARN_EVERY_MS.
 */
export function retryNotice(ctx: Pick<RunContext, "emit" | "warn">, now: () => number = Date.now): (info: RetryInfo) => void {
  let warnedAt = -Infinity;
  return ({ attempt, tries, delayMs, error }) => {
    const reason = error instanceof Error ? error.message : String(error);
    const line = `${reason}; trying again in ${(delayMs / 1000).toFixed(1)} s (try ${attempt + 1} of ${tries})`;
    ctx.emit({ type: "info", message: line });
    if (attempt >= WARN_FROM_ATTEMPT && now() - warnedAt >= WARN_EVERY_MS) {
      warnedAt = now();
      ctx.warn(`the platform is not answering: ${line}`);
    }
  };
}
