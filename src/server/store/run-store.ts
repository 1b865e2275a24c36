import { randomUUID } from "node:crypto";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { RUN_NODE_SLUGS, type ResultEntry, type RunNode, type UpdateRunBody } from "../../platform/types.js";
import { notFound } from "../http/http-error.js";
import type { ServerContext } from "../server-context.js";
import { isMissing, readJsonFile, writeJsonAtomic } from "./json-file.js";

/** What the server knows of a run besides its node. */
export interface RunRecord {
  id: string;
  simulation: string;
  createdAt: string;
}

export interface UpdateLine {
  at: string;
  status: unknown;
  progress: unknown;
  statusLabel: unknown;
  extras: Record<string, unknown> | null;
}

const CHILD_NAMES: Record<(typeof RUN_NODE_SLUGS)[number], string> = {
  logs: "Logs",
  plots: "Plots",
  media: "Media",
  graphics: "Graphics",
  downloadables: "Downloadables",
};

/** A new run of `simulation`, named "Run <n>" by the simulation's count of runs. */
export async function createRun(ctx: ServerContext, simulation: string): Promise<RunNode> {
  const counterFile = ctx.paths.simulation(simulation);
  const n = await ctx.locks.run(`simulation:${simulation}`, async () => {
    const counter = (await readJsonFile<{ runs: number }>(counterFile)) ?? { runs: 0 };
    const next = counter.runs + 1;
    await writeJsonAtomic(counterFile, { runs: next });
    return next;
  });
  const id = randomUUID();
  const node: RunNode = {
    id,
    name: `Run ${n}`,
    status: "pending",
    children: RUN_NODE_SLUGS.map((slug) => ({ slug, name: CHILD_NAMES[slug], children: [] })),
  };
  const record: RunRecord = { id, simulation, createdAt: new Date().toISOString() };
  await mkdir(ctx.paths.run(id), { recursive: true });
  await writeJsonAtomic(ctx.paths.run(id, "node.json"), node);
  await writeJsonAtomic(ctx.paths.run(id, "run.json"), record);
  return node;
}

/** The run's record; a 404 for a run the server did not create (or one of another simulation). */
export async function requireRun(ctx: ServerContext, runId: string, simulation?: string): Promise<RunRecord> {
  const record = await readJsonFile<RunRecord>(ctx.paths.run(runId, "run.json"));
  if (!record || (simulation !== undefined && record.simulation !== simulation)) {
    throw notFound(simulation === undefined ? `no run "${runId}"` : `no run "${runId}" in simulation "${simulation}"`);
  }
  return record;
}

export async function updateRun(ctx: ServerContext, runId: string, update: UpdateRunBody): Promise<void> {
  const { node, extras } = update;
  const line: UpdateLine = {
    at: new Date().toISOString(),
    status: node.status ?? null,
    progress: node.progress ?? null,
    statusLabel: node.statusLabel ?? null,
    extras: extras ?? null,
  };
  await ctx.locks.run(`run:${runId}`, async () => {
    await writeJsonAtomic(ctx.paths.run(runId, "node.json"), node);
    await appendFile(ctx.paths.run(runId, "updates.jsonl"), `${JSON.stringify(line)}\n`);
  });
}

export async function readNode(ctx: ServerContext, runId: string): Promise<RunNode | undefined> {
  return readJsonFile<RunNode>(ctx.paths.run(runId, "node.json"));
}

export async function readUpdates(ctx: ServerContext, runId: string): Promise<UpdateLine[]> {
  try {
    const text = await readFile(ctx.paths.run(runId, "updates.jsonl"), "utf8");
    return text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as UpdateLine);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** Results are merged by name: a later patch replaces a result of the same name, keeps the others. */
export async function patchResults(ctx: ServerContext, runId: string, results: ResultEntry[]): Promise<ResultEntry[]> {
  const file = ctx.paths.run(runId, "results.json");
  return ctx.locks.run(`run:${runId}:results`, async () => {
    const merged = new Map((await readResults(ctx, runId)).map((entry) => [entry.name, entry]));
    for (const entry of results) merged.set(entry.name, entry);
    const all = [...merged.values()];
    await writeJsonAtomic(file, all);
    return all;
  });
}

export async function readResults(ctx: ServerContext, runId: string): Promise<ResultEntry[]> {
  return (await readJsonFile<ResultEntry[]>(ctx.paths.run(runId, "results.json"))) ?? [];
}
