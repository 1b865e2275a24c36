import { ConfigError } from "../errors.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses "500ms", "10s", "2m", "1h30m", "1.5h" or a plain number of seconds.
 * `where` names the flag or field, so the error says what to fix.
 */
export function parseDuration(value: unknown, where: string): number {
  if (typeof value === "number") {
    if (Number.isFinite(value) && value >= 0) return Math.round(value * 1000);
    throw new ConfigError(`${where} must be a duration ≥ 0 (got ${JSON.stringify(value)})`);
  }
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(`${where} must be a duration such as "30s", "10m" or "2h" (got ${JSON.stringify(value)})`);
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let end = 0;
  for (let m = part.exec(text); m; m = part.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    end = part.lastIndex;
  }
  if (end !== text.length || end === 0) {
    throw new ConfigError(
      `${where} must be a duration such as "30s", "10m", "1h30m" or a number of seconds (got ${JSON.stringify(value)})`,
    );
  }
  return Math.round(total);
}

/** The longest wait a timer can hold (setTimeout's limit, about 24.8 days): a longer one would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration something waits for with a timer (a time limit, a grace, a flush time): at most MAX_TIMER_MS. */
export function timerDuration(value: unknown, where: string): number {
  const ms = parseDuration(value, where);
  if (ms > MAX_TIMER_MS) throw new ConfigError(`${where} must be at most 24 days (got ${JSON.stringify(value)}): a longer wait cannot be timed`);
  return ms;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  // Rounded first, so 119.6 s is 2m00s, not 1m60s.
  const seconds = Math.round(ms / 1000);
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(seconds % 60).padStart(2, "0")}s`;
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}
