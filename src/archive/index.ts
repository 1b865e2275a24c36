export { DEFAULT_MAX_ENTRIES, DEFAULT_MAX_TOTAL_BYTES, extractArchive } from "./extract-archive.js";
export type { ExtractOptions, ExtractProgress, ExtractResult } from "./types.js";
