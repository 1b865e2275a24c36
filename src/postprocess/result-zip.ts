/**
 * outputs/result.zip from `solverConfig.downloadable` (protocol.md, "Post-processing"): entries named by
 * their path below workDir, built under debug/ and moved into outputs/ whole. No zip when nothing matches.
 */
import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { selectDownloadableFiles } from "./downloadable.js";
import { moveIntoPlace, stagingDirOf } from "./staging.js";
import { writeZip } from "./zip-writer.js";

export { resultZipEntry } from "./run-node-entries.js";

/** Where the zip ends up, relative to workDir. */
export const RESULT_ZIP = "outputs/result.zip";

export interface ResultZip {
  /** Absolute path of outputs/result.zip. */
  path: string;
  /** The entries, paths relative to workDir. */
  files: string[];
  /** The zip's size. */
  bytes: number;
}

export interface BuildResultZipOptions {
  workDir: string;
  /** `solverConfig.downloadable` as the platform sent it; checked here, bad parts become warnings. */
  downloadable: unknown;
  /** Default `<workDir>/debug/staging`. */
  stagingDir?: string;
  /** Further paths below workDir to leave out (a folder: all below it). */
  exclude?: string[];
  /** Stops the build (the staging file is removed); outputs/result.zip is then not touched. */
  signal?: AbortSignal;
  /** Deflate level, 1 (fast) to 9; default 6. */
  compressionLevel?: number;
}

export interface ResultZipBuild {
  /** Undefined when the spec names no file (or there is no spec). */
  zip: ResultZip | undefined;
  warnings: string[];
}

/** Throws only when writing fails (disk full, a file unreadable); the spec's faults are warnings. */
export async function buildResultZip(options: BuildResultZipOptions): Promise<ResultZipBuild> {
  const { workDir } = options;
  const stagingDir = options.stagingDir ?? stagingDirOf(workDir);
  const exclude = [RESULT_ZIP, ...(options.exclude ?? [])];
  const stagingInside = relative(workDir, stagingDir);
  if (stagingInside && !stagingInside.startsWith("..")) exclude.push(stagingInside.split(sep).join("/"));

  const { files, warnings } = await selectDownloadableFiles({ workDir, downloadable: options.downloadable, exclude });
  if (files.length === 0) return { zip: undefined, warnings };

  await mkdir(stagingDir, { recursive: true });
  const staged = join(stagingDir, `result-${randomUUID()}.zip.part`);
  const path = join(workDir, ...RESULT_ZIP.split("/"));
  try {
    const bytes = await writeZip(
      files.map((f) => ({ name: f.path, source: f.source, mtime: f.mtime, mode: f.mode })),
      staged,
      { ...(options.signal ? { signal: options.signal } : {}), ...(options.compressionLevel !== undefined ? { compressionLevel: options.compressionLevel } : {}) },
    );
    await moveIntoPlace(staged, path);
    return { zip: { path, files: files.map((f) => f.path), bytes }, warnings };
  } finally {
    await rm(staged, { force: true });
  }
}
