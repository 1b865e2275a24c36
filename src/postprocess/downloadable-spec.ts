/**
 * `solverConfig.downloadable` (protocol.md, "Post-processing") checked into the paths and globs it names.
 * The spec comes from the platform's solver config, written by hand: a bad part is skipped with a
 * warning that names it, the rest still counts. Never throws: a typo must not cost the run its zip.
 */
import { compileGlob, type GlobPattern } from "./glob-pattern.js";

export interface DownloadableSpec {
  /** From `basic`: "/"-separated paths below workDir, a file or a folder (all of it). */
  paths: string[];
  globs: GlobPattern[];
  warnings: string[];
}

const LABEL = "solverConfig.downloadable";

export function readDownloadableSpec(value: unknown): DownloadableSpec {
  const spec: DownloadableSpec = { paths: [], globs: [], warnings: [] };
  if (value === undefined || value === null) return spec;
  if (!isPlainObject(value)) {
    spec.warnings.push(`${LABEL} must be an object {basic?, globs?} (got ${describe(value)}); no result.zip`);
    return spec;
  }
  for (const key of Object.keys(value)) {
    if (key !== "basic" && key !== "globs") spec.warnings.push(`${LABEL}.${key} is not known (only "basic" and "globs"); ignored`);
  }
  if (value.basic !== undefined && value.basic !== null) {
    if (isPlainObject(value.basic)) readTree(value.basic, [], spec);
    else spec.warnings.push(`${LABEL}.basic must be a tree of path segments like {"outputs": {"plots": true}} (got ${describe(value.basic)}); ignored`);
  }
  if (value.globs !== undefined && value.globs !== null) readGlobs(value.globs, spec);
  return spec;
}

function readTree(tree: Record<string, unknown>, above: string[], spec: DownloadableSpec): void {
  for (const [key, leaf] of Object.entries(tree)) {
    const label = `${LABEL}.basic${[...above, key].map((k) => `[${JSON.stringify(k)}]`).join("")}`;
    // A key may hold several segments ("outputs/plots"); each must stay below workDir.
    const segments = key.split("/").filter((s) => s !== "" && s !== ".");
    if (key.startsWith("/") || segments.includes("..") || segments.length === 0) {
      spec.warnings.push(`${label}: a path segment must name something below workDir; ignored`);
      continue;
    }
    const path = [...above, ...segments];
    if (leaf === true) spec.paths.push(path.join("/"));
    else if (leaf === false) continue;
    else if (isPlainObject(leaf)) readTree(leaf, path, spec);
    else if (isTruthyScalar(leaf)) {
      // The Python runner took any truthy leaf; keep that, but say what to write.
      spec.paths.push(path.join("/"));
      spec.warnings.push(`${label} is ${describe(leaf)}; taken as true (write true or false)`);
    } else spec.warnings.push(`${label} must be true, false or an object of path segments (got ${describe(leaf)}); ignored`);
  }
}

function readGlobs(globs: unknown, spec: DownloadableSpec): void {
  if (!Array.isArray(globs)) {
    spec.warnings.push(`${LABEL}.globs must be a list of strings like ["outputs/**/*.csv"] (got ${describe(globs)}); ignored`);
    return;
  }
  globs.forEach((glob: unknown, i) => {
    const label = `${LABEL}.globs[${i}]`;
    if (typeof glob !== "string") {
      spec.warnings.push(`${label} must be a string (got ${describe(glob)}); ignored`);
      return;
    }
    try {
      spec.globs.push(compileGlob(glob));
    } catch (error) {
      spec.warnings.push(`${label} ${JSON.stringify(glob)} ${(error as Error).message}; ignored`);
    }
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isTruthyScalar(value: unknown): boolean {
  return (typeof value === "number" && value !== 0 && !Number.isNaN(value)) || (typeof value === "string" && value !== "");
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "object") return "an object";
  return String(value);
}
