/** Downloaded platform files cached on the node, keyed by file id. */
export { createDownloadCache } from "./download-cache.js";
export type { Download, DownloadCache, DownloadCacheOptions, FetchResult } from "./download-cache.js";
export { CACHE_DIR_ENV, resolveCacheDir } from "./cache-dir.js";
export { cacheKey } from "./cache-key.js";
