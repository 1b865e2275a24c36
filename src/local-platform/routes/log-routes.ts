import { HttpError, PUBLIC, SCOPES, type Route } from "../../server/index.js";
import { followJobLog, SSE_HEADERS, type FollowLogOptions } from "../logs/follow-job-log.js";
import { fileBytesReply } from "../logs/stream-file.js";
import { tailText } from "../logs/tail-text.js";
import { MAIN_LOG, storedOutput } from "../logs/stored-output.js";
import type { PlatformDeps } from "../platform-deps.js";
import { queryParam } from "./query-param.js";
import { streamClaims } from "./stream-claims.js";
import { visibleJob } from "./visible-job.js";

const TEXT = "text/plain; charset=utf-8";
export const MAX_TAIL_LINES = 100_000;

/**
 * `GET api/v1/jobs/{id}/logs?tail=N`: the stored logs/main.log (empty before the runner sent any);
 * `GET api/v1/jobs/{id}/logs/stream`: the same as Server-Sent Events, followed until the job ends.
 */
export function logRoutes(deps: PlatformDeps, follow: FollowLogOptions = {}): Route[] {
  return [
    {
      method: "GET",
      path: "api/v1/jobs/:jobId/logs",
      scope: SCOPES.jobs,
      async handle({ req, params, claims }) {
        const job = visibleJob(deps, claims, params.get("jobId"));
        const tail = tailOf(queryParam(req, "tail"));
        const log = await storedOutput(deps, job, MAIN_LOG);
        if (!log) return { status: 200, body: "", contentType: TEXT };
        if (tail === undefined) return fileBytesReply(log.file, log.size, TEXT);
        return { status: 200, body: await tailText(log.file, tail), contentType: TEXT };
      },
    },
    {
      method: "GET",
      path: "api/v1/jobs/:jobId/logs/stream",
      // The token may come as ?token= (EventSource sends no headers): checked by streamClaims.
      scope: PUBLIC,
      async handle({ req, params, claims }) {
        const job = visibleJob(deps, streamClaims(deps, req, claims), params.get("jobId"));
        return { status: 200, headers: { ...SSE_HEADERS }, stream: (res) => followJobLog(deps, job, res, follow) };
      },
    },
  ];
}

export function tailOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_TAIL_LINES)) {
    throw new HttpError(400, `logs: ?tail must be a whole number of lines from 1 to ${MAX_TAIL_LINES} (got ${JSON.stringify(value.slice(0, 40))}); leave it out for the whole log`);
  }
  return n;
}
