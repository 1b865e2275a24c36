import { parseJsonAnswer } from "./answer-shape.js";
import { runDataOf, runNodeOf } from "./answers.js";
import { jsonBody, pathOf } from "./bodies.js";
import { call, type CallContext } from "./call.js";
import type { PatchResultsBody, ResultEntry, RunData, RunNode, UpdateRunBody } from "./types.js";

/** The run resource: its inputs, its node, its results (protocol.md part 1). */

export function readRunData(ctx: CallContext, project: string, simulation: string): Promise<RunData> {
  return call(ctx, {
    name: "read run data",
    method: "GET",
    path: pathOf("simulation", "run_data", "read", project, simulation),
    read: (answer) => runDataOf(parseJsonAnswer(textAnswer(answer))),
  });
}

export function createRun(ctx: CallContext, simulation: string): Promise<RunNode> {
  return call(ctx, {
    name: "create run",
    method: "PUT",
    path: pathOf("simulation", "run", "update", simulation),
    body: jsonBody({}),
    read: (answer) => runNodeOf(parseJsonAnswer(textAnswer(answer))),
  });
}

export function updateRun(ctx: CallContext, simulation: string, runId: string, body: UpdateRunBody): Promise<void> {
  return call(ctx, {
    name: "update run",
    method: "PUT",
    path: pathOf("simulation", "run", "update", simulation, runId),
    body: jsonBody(body),
    read: () => undefined,
  });
}

export function patchResults(ctx: CallContext, runId: string, results: ResultEntry[]): Promise<void> {
  const body: PatchResultsBody = { results };
  return call(ctx, {
    name: "patch results",
    method: "PUT",
    path: pathOf("simulation", "run", "patch", runId),
    body: jsonBody(body),
    read: () => undefined,
  });
}

export function textAnswer(answer: { status: number; headers: Record<string, string>; data: string }) {
  return { status: answer.status, contentType: answer.headers["content-type"] ?? "", text: answer.data };
}
