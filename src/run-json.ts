import { rename, writeFile } from "node:fs/promises";
import type { RunResult } from "./run-result.js";

/**
 * Writes debug/run.json through a temporary file, so a reader (sync, sweep status) never sees half
 * of it. `result` is redacted already, in every field (run-solver's buildResult).
 */
export async function writeRunJson(path: string, result: RunResult): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(result, null, 2)}\n`);
  await rename(tmp, path);
}
