import type { ResultEntry, RunNode, RunStatus, UpdateRunBody } from "../../platform/types.js";
import { FieldCheck, isObject, kindOf } from "./field-check.js";

const STATUSES: readonly RunStatus[] = ["pending", "running", "finished", "error"];
const RESULT_TYPES: readonly ResultEntry["type"][] = ["scalar", "boolean", "ascii"];

/** `{node, extras?}`: the node whole, with the run's id and typed status fields. */
export function updateRunBodyOf(value: unknown, runId: string): UpdateRunBody {
  const check = new FieldCheck("update run");
  const body = check.root(value, "the request body");
  const node = check.object(body, "node");
  const inner = check.within("node");
  if (node.id !== runId) throw inner.fail("id", `must be the run's id "${runId}" (got ${JSON.stringify(node.id) ?? "nothing"})`);
  if (node.name !== undefined) inner.string(node, "name");
  if (node.children !== undefined && !Array.isArray(node.children)) {
    throw inner.fail("children", `must be an array (got ${kindOf(node.children)})`);
  }
  if (node.status !== undefined && !STATUSES.includes(node.status as RunStatus)) {
    throw inner.fail("status", `must be one of ${STATUSES.join(", ")} (got ${JSON.stringify(node.status)})`);
  }
  if (node.progress !== undefined && (typeof node.progress !== "number" || !Number.isFinite(node.progress))) {
    throw inner.fail("progress", `must be a number (got ${kindOf(node.progress)})`);
  }
  if (node.statusLabel !== undefined && node.statusLabel !== null) inner.string(node, "statusLabel");
  const update: UpdateRunBody = { node: node as RunNode };
  if (body.extras !== undefined && body.extras !== null) update.extras = check.object(body, "extras");
  return update;
}

/** `{results: [{name, type, value}]}`, each value fitting its type. */
export function resultsBodyOf(value: unknown): ResultEntry[] {
  const check = new FieldCheck("patch results");
  const body = check.root(value, "the request body");
  if (!Array.isArray(body.results)) throw check.fail("results", `must be an array (got ${kindOf(body.results)})`);
  return body.results.map((entry: unknown, index) => {
    const at = `results[${index}]`;
    if (!isObject(entry)) throw check.fail(at, `must be an object (got ${kindOf(entry)})`);
    const inner = check.within(at);
    const name = inner.string(entry, "name");
    if (name.trim() === "") throw inner.fail("name", "must not be empty");
    const type = inner.string(entry, "type");
    if (!RESULT_TYPES.includes(type as ResultEntry["type"])) {
      throw inner.fail("type", `must be one of ${RESULT_TYPES.join(", ")} (got ${JSON.stringify(type)})`);
    }
    const problem = valueProblem(type as ResultEntry["type"], entry.value);
    if (problem) throw inner.fail("value", problem);
    return { name, type, value: entry.value } as ResultEntry;
  });
}

/** Numbers and booleans are also accepted as their text, as a CSV-reading runner may send them. */
function valueProblem(type: ResultEntry["type"], value: unknown): string | undefined {
  switch (type) {
    case "scalar":
      if (typeof value === "number" && Number.isFinite(value)) return undefined;
      if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return undefined;
      return `must be a number for type scalar (got ${JSON.stringify(value) ?? "nothing"})`;
    case "boolean":
      if (typeof value === "boolean") return undefined;
      if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) return undefined;
      return `must be true or false for type boolean (got ${JSON.stringify(value) ?? "nothing"})`;
    case "ascii":
      return typeof value === "string" ? undefined : `must be a string for type ascii (got ${kindOf(value)})`;
  }
}
