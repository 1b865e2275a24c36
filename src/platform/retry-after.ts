/**
 * The delay a `Retry-After` header asks for, in ms: either whole seconds or an HTTP date.
 * Undefined when the header is absent or unreadable (the usual backoff applies then).
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP date names its month; this keeps Date.parse from reading "-3" as a year.
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
