/**
 * `downloadable` from inputs/solverConfig.json, where the download stage writes `physicsFeature.config`
 * (protocol.md, "Downloads"). A native run may have none: that is no zip, not a fault.
 */
import { readFile } from "node:fs/promises";

export interface SolverConfigDownloadable {
  downloadable: unknown;
  warnings: string[];
}

export async function readSolverConfigDownloadable(solverConfigPath: string): Promise<SolverConfigDownloadable> {
  let text: string;
  try {
    text = await readFile(solverConfigPath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { downloadable: undefined, warnings: [] };
    return { downloadable: undefined, warnings: [`${solverConfigPath}: cannot be read (${(error as Error).message}); no result.zip`] };
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    return { downloadable: undefined, warnings: [`${solverConfigPath}: not valid JSON (${(error as Error).message}); no result.zip`] };
  }
  const downloadable = typeof config === "object" && config !== null ? (config as Record<string, unknown>).downloadable : undefined;
  return { downloadable, warnings: [] };
}
