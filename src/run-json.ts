import { writeJsonAtomic } from "./fs/write-json-atomic.js";
import type { RunResult } from "./run-result.js";

/**
 * Writes debug/run.json through a temporary file, so a reader (sync, sweep status) never sees half
 * of it. `result` is redacted already, in every field (run-solver's buildResult).
 */
export async function writeRunJson(path: string, result: RunResult): Promise<void> {
  await writeJsonAtomic(path, result, 2);
}
