import type { IncomingMessage } from "node:http";
import { HttpError } from "../../server/index.js";
import { JOB_STATUSES, type JobQuery, type JobStatus } from "../platform-types.js";
import { queryParam } from "./query-param.js";

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 200;

/** `?status=&sweep=&limit=&offset=` of `GET api/v1/jobs`, checked; a 400 names the parameter. */
export function jobListQuery(req: IncomingMessage, owner: string | undefined): JobQuery {
  const fail = (name: string, rule: string, value: string): never => {
    throw new HttpError(400, `list jobs: "${name}" ${rule} (got ${JSON.stringify(value)})`);
  };
  const whole = (name: string, fallback: number, min: number, max: number): number => {
    const text = queryParam(req, name);
    if (text === undefined || text === "") return fallback;
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) fail(name, `must be a whole number from ${min} to ${max}`, text);
    return n;
  };
  const status = queryParam(req, "status") || undefined;
  if (status !== undefined && !(JOB_STATUSES as readonly string[]).includes(status)) fail("status", `must be one of ${JOB_STATUSES.join(", ")}`, status);
  const sweepId = queryParam(req, "sweep") || undefined;
  return {
    ...(owner !== undefined ? { owner } : {}),
    ...(status !== undefined ? { status: status as JobStatus } : {}),
    ...(sweepId !== undefined ? { sweepId } : {}),
    limit: whole("limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
    offset: whole("offset", 0, 0, Number.MAX_SAFE_INTEGER),
  };
}
