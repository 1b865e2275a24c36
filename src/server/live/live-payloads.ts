import type { RunLogEvent, RunStatus, RunStatusEvent } from "../../platform/types.js";
import { isObject } from "../validate/field-check.js";
import { segmentProblem } from "../store/safe-segment.js";

const STATUSES: readonly RunStatus[] = ["pending", "running", "finished", "error"];

/** The run id of a join or a relayed event, or undefined when there is none fit for a room name. */
export function runIdIn(payload: unknown): string | undefined {
  if (!isObject(payload)) return undefined;
  return segmentProblem(payload.runId) === undefined ? (payload.runId as string) : undefined;
}

/** A run:status as relayed: exactly the fields of the type, each checked. */
export function runStatusOf(payload: unknown): RunStatusEvent | undefined {
  const runId = runIdIn(payload);
  if (runId === undefined || !isObject(payload)) return undefined;
  const { status, progress, statusLabel } = payload;
  if (!STATUSES.includes(status as RunStatus)) return undefined;
  if (typeof progress !== "number" || !Number.isFinite(progress)) return undefined;
  if (typeof statusLabel !== "string") return undefined;
  return { runId, status: status as RunStatus, progress, statusLabel };
}

export function runLogOf(payload: unknown): RunLogEvent | undefined {
  const runId = runIdIn(payload);
  if (runId === undefined || !isObject(payload)) return undefined;
  const { lines } = payload;
  if (!Array.isArray(lines) || !lines.every((line) => typeof line === "string")) return undefined;
  return { runId, lines: lines as string[] };
}

export function roomOf(runId: string): string {
  return `run:${runId}`;
}
