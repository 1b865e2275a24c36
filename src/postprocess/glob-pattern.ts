/**
 * The glob syntax of `downloadable.globs` (protocol.md: `*` within a folder, `**` across folders),
 * relative to workDir. Node 20 has no fs.glob, and a dependency for thirty lines is not worth it.
 *
 * Supported: `*`, `?`, `[abc]`, `[a-z]`, `[!abc]` within one path segment; `**` as a whole segment for
 * zero or more folders; a trailing `/` means "everything below". As in shells, a wildcard does not match
 * a name starting with "." unless the pattern's segment starts with "." too. No braces, no escapes.
 */

export interface GlobPattern {
  /** The pattern as given. */
  source: string;
  /** The leading literal folders: the only part of the tree a walk needs to visit ("" = workDir). */
  base: string;
  /** True when the "/"-separated relative path matches. */
  matches(path: string): boolean;
}

type Segment = { kind: "globstar" } | { kind: "name"; regex: RegExp; literal: boolean; dotted: boolean };

const WILDCARD = /[*?[]/;

/** Throws a RangeError saying what is wrong; the spec reader turns it into a warning. */
export function compileGlob(source: string): GlobPattern {
  if (source.startsWith("/")) throw new RangeError("is absolute; globs are relative to workDir");
  const trailingSlash = source.endsWith("/");
  const parts = source.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new RangeError('climbs out with ".."; globs stay inside workDir');
  if (parts.length === 0) throw new RangeError("names no path");
  if (trailingSlash) parts.push("**");
  const segments = parts.map(compileSegment);
  const literal: string[] = [];
  for (const [i, part] of parts.entries()) {
    if (i === parts.length - 1 || WILDCARD.test(part)) break;
    literal.push(part);
  }
  return { source, base: literal.join("/"), matches: (path) => matchFrom(segments, 0, path.split("/"), 0) };
}

function compileSegment(part: string): Segment {
  if (part === "**") return { kind: "globstar" };
  let regex = "";
  for (let i = 0; i < part.length; i++) {
    const c = part[i] as string;
    if (c === "*") regex += "[^/]*";
    else if (c === "?") regex += "[^/]";
    else if (c === "[") {
      const close = part.indexOf("]", i + 2);
      if (close < 0) regex += "\\[";
      else {
        const body = part.slice(i + 1, close);
        const negated = body.startsWith("!") || body.startsWith("^");
        const chars = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, "\\$&");
        regex += `[${negated ? "^" : ""}${chars}]`;
        i = close;
      }
    } else regex += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return { kind: "name", regex: new RegExp(`^${regex}$`), literal: !WILDCARD.test(part), dotted: part.startsWith(".") };
}

/** Backtracking over segments; paths are a handful of segments deep, so this stays cheap. */
function matchFrom(segments: Segment[], si: number, names: string[], ni: number): boolean {
  const segment = segments[si];
  if (segment === undefined) return ni === names.length;
  if (segment.kind === "globstar") {
    // Zero folders, or one more (not a hidden one) and try again.
    if (matchFrom(segments, si + 1, names, ni)) return true;
    const name = names[ni];
    return name !== undefined && !name.startsWith(".") && matchFrom(segments, si, names, ni + 1);
  }
  const name = names[ni];
  if (name === undefined) return false;
  if (name.startsWith(".") && !segment.dotted && !segment.literal) return false;
  return segment.regex.test(name) && matchFrom(segments, si + 1, names, ni + 1);
}
