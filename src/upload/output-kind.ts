/**
 * Where a file under outputs/ goes (protocol.md, "Where each output goes"):
 * live files are appended as they grow, the rest is uploaded whole after the solver.
 */
export type OutputKind =
  | { kind: "live"; slug: "logs" | "plots" | "media"; isAscii: boolean }
  | { kind: "file" }
  | { kind: "skip"; why: string; /** Left out against the solver's likely wish: said in a warning. */ tell?: boolean };

const TEMPORARY = [/\.tmp$/i, /\.part$/i, /\.swp$/i, /~$/];

/** `path` is relative to outputs/, "/"-separated. */
export function outputKind(path: string): OutputKind {
  const parts = path.split("/");
  const name = parts[parts.length - 1] ?? "";
  if (path === "state.txt") return { kind: "skip", why: "state.txt is parsed, not uploaded" };
  // Both are the runner's own, each sent with its own run node entry at the end.
  if (path === "result.zip") return { kind: "skip", why: "result.zip goes under downloadables as Result.zip" };
  if (path === "report.html") return { kind: "skip", why: "the run report goes under media" };
  if (parts.some((p) => p.startsWith("."))) return { kind: "skip", why: "hidden file" };
  // The platform refuses such a path (protocol.md's metadata.path): sending would fail on every try.
  if (/[\\\x00-\x1f\x7f]/.test(path)) {
    return { kind: "skip", why: "its name holds a backslash or a control character (a tab, a line break), which the platform refuses in a path; rename it", tell: true };
  }
  if (TEMPORARY.some((t) => t.test(name))) return { kind: "skip", why: "temporary file" };
  const top = parts.length > 1 ? parts[0] : undefined;
  if (top === "logs") return { kind: "live", slug: "logs", isAscii: true };
  if (top === "plots") return { kind: "live", slug: "plots", isAscii: true };
  if (top === "media") return { kind: "live", slug: "media", isAscii: false };
  return { kind: "file" };
}

/**
 * What the watcher must follow while the solver runs (`path` relative to outputs/, "" for outputs/
 * itself): state.txt always; with an uploader, the live folders, or everything when whole files go
 * during the run too. The rest waits for the final pass's scan, so a solver writing thousands of
 * files under files/ costs the watcher nothing.
 */
export function followedDuringRun(path: string, scope: "state" | "live" | "all"): boolean {
  if (path === "" || path === "state.txt" || path.startsWith("../") || scope === "all") return true;
  if (scope === "state") return false;
  const top = path.split("/", 1)[0];
  return top === "logs" || top === "plots" || top === "media";
}

export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1) : "";
}

export function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
