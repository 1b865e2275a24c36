import { readFile } from "node:fs/promises";
import { writeJsonAtomic } from "../fs/write-json-atomic.js";
import type { RunNode } from "../platform/types.js";

/**
 * debug/platform-run.json: the run node as the platform last accepted it, and whether its final
 * status went through. A runner restarted on the same work directory resumes this node instead of
 * creating another; `sync` reports an offline run through it.
 */
export interface PlatformRunFile {
  runId: string;
  node: RunNode;
  finalSent: boolean;
}

export async function readPlatformRunFile(path: string): Promise<PlatformRunFile | undefined> {
  try {
    const data = JSON.parse(await readFile(path, "utf8")) as Partial<PlatformRunFile>;
    if (typeof data.runId === "string" && data.node && typeof data.node === "object" && typeof data.finalSent === "boolean") {
      return data as PlatformRunFile;
    }
  } catch {
    // Missing or torn: nothing to resume.
  }
  return undefined;
}

export async function writePlatformRunFile(path: string, file: PlatformRunFile): Promise<void> {
  await writeJsonAtomic(path, file);
}
