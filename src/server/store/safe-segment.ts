import { badRequest } from "../http/http-error.js";

/** Longest accepted segment: room for the suffixes the store adds (".chunks.json") under 255 bytes. */
export const MAX_SEGMENT_BYTES = 200;

/**
 * Why `value` cannot be one path segment under DATA, or undefined when it can: a non-empty string
 * without `/`, `\`, `..`, NUL or other control characters, not `.`, and not too long.
 */
export function segmentProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return `must be a string (got ${value === null ? "null" : typeof value})`;
  if (value === "") return "must not be empty";
  if (value === ".") return `must not be "."`;
  if (value.includes("..")) return `must not contain ".."`;
  if (value.includes("/") || value.includes("\\")) return "must be one name, without / or \\";
  if (/[\x00-\x1f\x7f]/.test(value)) return "must not contain NUL or control characters";
  if (Buffer.byteLength(value) > MAX_SEGMENT_BYTES) return `must be at most ${MAX_SEGMENT_BYTES} bytes long`;
  return undefined;
}

/** `value` as a checked path segment; a 400 naming `field` otherwise. */
export function safeSegment(field: string, value: unknown): string {
  const problem = segmentProblem(value);
  if (problem !== undefined) throw badRequest(`"${field}" ${problem}`);
  return value as string;
}
