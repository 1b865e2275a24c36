import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeJsonAtomic } from "../fs/write-json-atomic.js";
import type { VisualizationKind } from "../postprocess/index.js";

/**
 * debug/left-unsent.json: what a run left unsent (its flush time ran out, or sends failed: the
 * platform down at the end), whether or not its final status went through, so that `sync` sends
 * it to that same run node, and only it (an archive or result.zip sent twice would be listed
 * twice). Outputs are not listed here: the upload journal says which the platform lacks. `sync`
 * removes it once it has sent the run.
 */
export interface LeftUnsent {
  /** The run node it belongs to. */
  runId: string;
  /** The results patch (outputs/results.csv) did not go through. */
  results: boolean;
  /** The visualization archives not sent. */
  archives: VisualizationKind[];
  resultZip: boolean;
}

export function leftUnsentPath(debugDir: string): string {
  return join(debugDir, "left-unsent.json");
}

/** The record of run `runId`, or undefined when there is none for it (missing, torn, another run's). */
export async function readLeftUnsent(debugDir: string, runId: string | undefined): Promise<LeftUnsent | undefined> {
  try {
    const data = JSON.parse(await readFile(leftUnsentPath(debugDir), "utf8")) as Partial<LeftUnsent>;
    if (runId === undefined || data.runId !== runId || typeof data.results !== "boolean" || typeof data.resultZip !== "boolean" || !Array.isArray(data.archives)) return undefined;
    return { runId, results: data.results, resultZip: data.resultZip, archives: data.archives.filter((k) => k === "vtp" || k === "gltf") };
  } catch {
    return undefined;
  }
}

/**
 * Records what is left, together with what an earlier record of the same run says is left: a later
 * step of the run (the run report) must not take back what an earlier one (the sends) left.
 */
export async function writeLeftUnsent(debugDir: string, left: LeftUnsent): Promise<void> {
  const earlier = await readLeftUnsent(debugDir, left.runId);
  if (earlier) {
    left = {
      runId: left.runId,
      results: left.results || earlier.results,
      archives: [...new Set([...earlier.archives, ...left.archives])],
      resultZip: left.resultZip || earlier.resultZip,
    };
  }
  await writeJsonAtomic(leftUnsentPath(debugDir), left);
}

export async function removeLeftUnsent(debugDir: string): Promise<void> {
  await rm(leftUnsentPath(debugDir), { force: true });
}
