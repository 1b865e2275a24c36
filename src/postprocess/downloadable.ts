/**
 * The files `solverConfig.downloadable` names (protocol.md, "Post-processing"): `basic` paths (a folder
 * is all of it) and `globs`, all below workDir. A file is listed once however many parts name it.
 */
import { readDownloadableSpec } from "./downloadable-spec.js";
import type { GlobPattern } from "./glob-pattern.js";
import { InsideTree, type FoundFile } from "./inside-tree.js";

export interface DownloadableSelection {
  /** Sorted by path, each path relative to workDir, "/"-separated. */
  files: FoundFile[];
  warnings: string[];
}

export interface SelectOptions {
  workDir: string;
  /** `solverConfig.downloadable`, unchecked: it is checked here. */
  downloadable: unknown;
  /**
   * Paths relative to workDir never taken, a folder with all below it: the zip being built, its staging
   * folder. config.json is always left out: it holds the platform token.
   */
  exclude?: string[];
}

/** Left out whatever the spec says: it holds the token (protocol.md part 2, item 12). */
const CONFIG_FILE = "config.json";

export async function selectDownloadableFiles(options: SelectOptions): Promise<DownloadableSelection> {
  const spec = readDownloadableSpec(options.downloadable);
  const warnings = [...spec.warnings];
  const tree = await InsideTree.open(options.workDir);
  const excluded = [CONFIG_FILE, ...(options.exclude ?? [])];
  const skip = (path: string): boolean => excluded.some((e) => path === e || path.startsWith(`${e}/`));
  const chosen = new Map<string, FoundFile>();
  const take = (file: FoundFile): void => {
    if (!skip(file.path)) chosen.set(file.path, file);
  };

  for (const path of spec.paths) {
    const found = await tree.lookup(path);
    if (found.kind === "missing") warnings.push(`solverConfig.downloadable.basic: ${path} does not exist; nothing taken from it`);
    else if (found.kind === "refused") warnings.push(`solverConfig.downloadable.basic: ${path} is left out: ${found.why}`);
    else if (found.kind === "file") take(found.file);
    else for await (const file of tree.files(found.real, path, skip)) take(file);
  }
  for (const glob of spec.globs) {
    let matched = 0;
    for await (const file of globFiles(tree, glob, skip)) {
      take(file);
      matched++;
    }
    if (matched === 0) warnings.push(`solverConfig.downloadable.globs: ${JSON.stringify(glob.source)} matches no file`);
  }
  if (spec.paths.includes(CONFIG_FILE) || spec.globs.some((g) => g.matches(CONFIG_FILE))) warnings.push(`${CONFIG_FILE} is never put into result.zip: it holds the platform token`);
  const files = [...chosen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, warnings };
}

/** A glob's files: the walk starts at its literal base; a matching folder brings all below it. */
async function* globFiles(tree: InsideTree, glob: GlobPattern, skip: (path: string) => boolean): AsyncGenerator<FoundFile> {
  const base = await tree.lookup(glob.base);
  if (base.kind !== "folder") return;
  for await (const file of tree.files(base.real, glob.base, skip)) {
    if (matchesSelfOrFolder(glob, file.path)) yield file;
  }
}

function matchesSelfOrFolder(glob: GlobPattern, path: string): boolean {
  const names = path.split("/");
  for (let n = names.length; n >= 1; n--) {
    if (glob.matches(names.slice(0, n).join("/"))) return true;
  }
  return false;
}
