import { readdir, stat } from "node:fs/promises";
import { SCOPES } from "../auth/scopes.js";
import { json } from "../http/reply.js";
import type { Route } from "../http/router.js";
import { listStoredFiles, storedFilenames } from "../store/file-records.js";
import { isMissing, readJsonFile } from "../store/json-file.js";
import { notFound } from "../http/http-error.js";
import type { ServerContext } from "../server-context.js";
import { readNode, readResults, readUpdates, type RunRecord } from "../store/run-store.js";
import { segmentProblem } from "../store/safe-segment.js";

/** Reading runs back: what a test or a user looks at after a run. */
export const runsListingRoutes: Route[] = [
  {
    method: "GET",
    path: "runs",
    scope: SCOPES.runsRead,
    async handle({ ctx }) {
      const runs = [];
      for (const id of await runIds(ctx)) {
        const node = await readNode(ctx, id);
        const record = await readJsonFile<RunRecord>(ctx.paths.run(id, "run.json"));
        runs.push({
          id,
          name: node?.name ?? null,
          simulation: record?.simulation ?? null,
          createdAt: record?.createdAt ?? null,
          status: node?.status ?? null,
          progress: node?.progress ?? null,
          statusLabel: node?.statusLabel ?? null,
          updates: (await readUpdates(ctx, id)).length,
          files: (await storedFilenames(ctx, id)).length,
        });
      }
      runs.sort((a, b) => (a.createdAt ?? "").localeCompare(b.createdAt ?? "") || a.id.localeCompare(b.id));
      return json(runs);
    },
  },
  {
    method: "GET",
    path: "runs/:runId",
    scope: SCOPES.runsRead,
    async handle({ params, ctx }) {
      const runId = params.get("runId");
      // A run the server did not create may still hold files (the Python runner files them under its job).
      if (!(await isDirectory(ctx.paths.run(runId)))) throw notFound(`no run "${runId}"`);
      return json({
        node: (await readNode(ctx, runId)) ?? null,
        updates: await readUpdates(ctx, runId),
        results: await readResults(ctx, runId),
        files: await listStoredFiles(ctx, runId),
      });
    },
  },
];

async function runIds(ctx: ServerContext): Promise<string[]> {
  try {
    const entries = await readdir(ctx.paths.runsDir(), { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory() && segmentProblem(entry.name) === undefined).map((entry) => entry.name);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}
