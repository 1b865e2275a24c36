/**
 * Turns a name from an archive into path segments below the target folder, or
 * says why it cannot be one. Archives made on Windows use `\`, so it is a
 * separator here for every format: one rule for zip and tar alike.
 */
export type CheckedName = { ok: true; segments: string[] } | { ok: false; reason: string };

export function checkEntryName(name: string): CheckedName {
  if (name.includes("\0")) return { ok: false, reason: "the name contains a NUL byte" };
  const slashed = name.replace(/\\/g, "/");
  if (isAbsoluteAnywhere(slashed)) return { ok: false, reason: "the name is an absolute path" };
  const segments = normaliseSegments(slashed.split("/"));
  if (segments === undefined) return { ok: false, reason: "the name leads out of the target folder (\"..\")" };
  return { ok: true, segments };
}

/** `/x`, `//server/x` (was `\\server\x`) and `C:x`, `C:/x`: absolute on some system the archive may come from. */
export function isAbsoluteAnywhere(slashed: string): boolean {
  return slashed.startsWith("/") || /^[a-zA-Z]:/.test(slashed);
}

/** Resolves `.` and `..` lexically; undefined when `..` climbs above the start. */
export function normaliseSegments(parts: readonly string[]): string[] | undefined {
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) return undefined;
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out;
}
