/**
 * A platform file id as a file name in the cache. Ids come from the server: whatever they hold, the name
 * is one plain segment ([A-Za-z0-9._-], no leading dot), so it can never point out of the cache or at a
 * hidden file. The hash of the whole id keeps ids that sanitise alike ("a/b", "a_b") apart.
 */
import { createHash } from "node:crypto";

const READABLE_CHARS = 80;

export function cacheKey(fileId: string): string {
  if (typeof fileId !== "string" || fileId === "") throw new TypeError(`download cache: the file id must be a non-empty string (got ${JSON.stringify(fileId)})`);
  const readable = fileId.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_").slice(0, READABLE_CHARS);
  const hash = createHash("sha256").update(fileId).digest("hex").slice(0, 16);
  return `${readable}-${hash}`;
}
