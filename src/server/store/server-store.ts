import { mkdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ResultEntry, RunNode } from "../../platform/types.js";
import type { ServerContext } from "../server-context.js";
import { fileRecordsOf, storedFilenames } from "./file-records.js";
import { readNode, readResults } from "./run-store.js";
import { safeSegment } from "./safe-segment.js";

/** A stored file as a program on the server reads it: no digest (that costs a read of the file). */
export interface StoredFileInfo {
  filename: string;
  /** Relative to the runner's outputs/ ("logs/main.log", "result.zip"), when the runner sent it. */
  path: string | null;
  originalname: string | null;
  size: number;
  /** Where it is on disk. */
  file: string;
}

/** What a program built on the server (the local platform) reads and seeds of the store, in-process. */
export interface ServerStore {
  readonly dataDir: string;
  node(runId: string): Promise<RunNode | undefined>;
  results(runId: string): Promise<ResultEntry[]>;
  files(runId: string): Promise<StoredFileInfo[]>;
  /** The answer of `GET simulation/run_data/read/{project}/{simulation}`. */
  writeRunData(project: string, simulation: string, runData: unknown): Promise<void>;
}

export function serverStore(ctx: ServerContext): ServerStore {
  return {
    dataDir: ctx.paths.root,
    node: (runId) => readNode(ctx, safeSegment("runId", runId)),
    results: (runId) => readResults(ctx, safeSegment("runId", runId)),
    async files(runId) {
      safeSegment("runId", runId);
      const out: StoredFileInfo[] = [];
      const records = fileRecordsOf(ctx, runId);
      for (const filename of await storedFilenames(ctx, runId)) {
        const file = ctx.paths.storedFile(runId, filename);
        const record = records.get(filename);
        const size = await stat(file).then((s) => s.size).catch(() => undefined);
        if (size === undefined) continue;
        out.push({ filename, path: record?.path ?? null, originalname: record?.originalname ?? null, size, file });
      }
      return out;
    },
    async writeRunData(project, simulation, runData) {
      const file = ctx.paths.runData(safeSegment("project", project), safeSegment("simulation", simulation));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(runData));
    },
  };
}
