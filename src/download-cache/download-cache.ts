/**
 * Downloaded platform files (meshes, script and input archives) kept on the node, keyed by file id, so
 * a sweep of runs over one mesh fetches it once. Layout under the cache dir:
 *
 *   files/<key>        the file, read-only       files/<key>.json   its record (id, size, sha256?)
 *   tmp/<key>.<uuid>.part                        a download in progress
 *
 * Concurrent runs need no lock. Each download goes to its own temporary file; a finished one is
 * renamed over files/<key> in one step. Two runs that miss together both download and the last rename
 * wins; the content is the same (a file id names fixed content), and a run that already linked or
 * opened the other copy keeps a complete file (a rename swaps the name, not the bytes; a link that
 * meets the swap is made again, see place-file.ts). A lock would save the second download but
 * needs stale-lock recovery when a runner dies holding it: not worth it for a cache. A failed or short download is removed and never renamed in, so it cannot poison the cache.
 */
import { randomUUID } from "node:crypto";
import { chmod, mkdir, opendir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { PlatformError } from "../errors.js";
import { resolveCacheDir } from "./cache-dir.js";
import { cacheKey } from "./cache-key.js";
import { fileSha256 } from "../fs/file-sha256.js";
import { readRecord, writeRecord } from "./cache-record.js";
import { placeFile } from "./place-file.js";

/** Writes the file at `tmpPath` (the platform client's downloadFile does) and says how many bytes it wrote. */
export type Download = (tmpPath: string) => Promise<{ bytes: number }>;

export interface FetchResult {
  bytes: number;
  /** True when the file came from the cache with no download. */
  hit: boolean;
}

export interface DownloadCache {
  readonly dir: string;
  fetch(fileId: string, destPath: string, download: Download): Promise<FetchResult>;
}

export interface DownloadCacheOptions {
  /** Overrides PHYSICSWORKS_CACHE_DIR and the XDG default. */
  dir?: string;
  env: Record<string, string | undefined>;
  /**
   * "size" (default): a hit is a record with the file's size. "sha256": the digest is recorded and
   * checked on every hit too, which catches a same-size change at the cost of reading the file.
   */
  verify?: "size" | "sha256";
  /** Hard-link hits into place when possible (default true); false always copies. */
  link?: boolean;
  /** Temporary files older than this were left by a runner that died: removed (default 24 h). */
  staleTempMs?: number;
}

export function createDownloadCache(options: DownloadCacheOptions): DownloadCache {
  const dir = resolveCacheDir(options.env, options.dir);
  const files = join(dir, "files");
  const tmp = join(dir, "tmp");
  const verify = options.verify ?? "size";
  const allowLink = options.link ?? true;
  const staleTempMs = options.staleTempMs ?? 24 * 3600 * 1000;

  async function cachedSize(key: string, fileId: string): Promise<number | undefined> {
    const record = await readRecord(join(files, `${key}.json`));
    if (!record || record.fileId !== fileId) return undefined;
    const info = await stat(join(files, key)).catch(() => undefined);
    if (!info?.isFile() || info.size !== record.size) return undefined;
    if (verify === "sha256" && (!record.sha256 || (await fileSha256(join(files, key))) !== record.sha256)) return undefined;
    return record.size;
  }

  async function store(key: string, fileId: string, download: Download): Promise<number> {
    await mkdir(files, { recursive: true });
    await mkdir(tmp, { recursive: true });
    await removeStaleTemps(tmp, staleTempMs);
    const part = join(tmp, `${key}.${randomUUID()}.part`);
    try {
      const { bytes } = await download(part);
      const info = await stat(part).catch(() => undefined);
      if (!info?.isFile()) throw new PlatformError(`download of file ${fileId} reported ${bytes} bytes but wrote no file`);
      if (info.size !== bytes) throw new PlatformError(`download of file ${fileId} reported ${bytes} bytes but wrote ${info.size}; not cached`);
      const sha256 = verify === "sha256" ? await fileSha256(part) : undefined;
      // Read-only: a hard link into a work dir shares these bytes, so a solver editing its input in
      // place must get an error, not silently change every later run's input.
      await chmod(part, 0o444);
      await rename(part, join(files, key));
      await writeRecord(join(files, `${key}.json`), { fileId, size: bytes, ...(sha256 ? { sha256 } : {}), storedAt: new Date().toISOString() });
      return bytes;
    } finally {
      await rm(part, { force: true });
    }
  }

  return {
    dir,
    async fetch(fileId, destPath, download) {
      const key = cacheKey(fileId);
      const cached = await cachedSize(key, fileId);
      if (cached !== undefined) {
        await placeFile(join(files, key), destPath, allowLink);
        return { bytes: cached, hit: true };
      }
      const bytes = await store(key, fileId, download);
      await placeFile(join(files, key), destPath, allowLink);
      return { bytes, hit: false };
    },
  };
}

async function removeStaleTemps(tmp: string, olderThanMs: number): Promise<void> {
  const now = Date.now();
  for await (const entry of await opendir(tmp)) {
    const path = join(tmp, entry.name);
    const info = await stat(path).catch(() => undefined);
    if (info && now - info.mtimeMs > olderThanMs) await rm(path, { force: true });
  }
}
