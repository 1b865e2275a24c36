import { UsageError } from "../errors.js";

/**
 * A flag's whole number within [min, max]; `flag` names it, so the error says what to fix. Text
 * must be plain digits ("4", not "4.0", "0x4" or "4e0", which Number() would take).
 */
export function wholeNumber(value: string | number, flag: string, min: number, max: number): number {
  const n = typeof value === "number" ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  return n;
}
