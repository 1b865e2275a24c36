import { HttpError } from "../../server/index.js";

/** `POST api/v1/reports`: a report of one job or of one sweep. */
export type ReportRequest = { jobId: string } | { sweepId: string };

const FIELDS = ["jobId", "sweepId"] as const;

export function reportRequestOf(body: unknown): ReportRequest {
  const bad = (message: string): HttpError => new HttpError(400, `POST api/v1/reports: ${message}`);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw bad(`the body must be a JSON object, {"jobId": "…"} or {"sweepId": "…"}`);
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw bad(`unknown field ${JSON.stringify(key.slice(0, 64))}; give "jobId" or "sweepId"`);
  }
  const given = FIELDS.filter((field) => record[field] !== undefined);
  if (given.length !== 1) throw bad(`give exactly one of "jobId" or "sweepId" (got ${given.length ? "both" : "neither"})`);
  const field = given[0] as (typeof FIELDS)[number];
  const value = record[field];
  if (typeof value !== "string" || value.trim() === "" || value.length > 200) {
    throw bad(`"${field}" must be the ${field === "jobId" ? "job's" : "sweep's"} id, a non-empty string (got ${JSON.stringify(value)?.slice(0, 64)})`);
  }
  return field === "jobId" ? { jobId: value } : { sweepId: value };
}
