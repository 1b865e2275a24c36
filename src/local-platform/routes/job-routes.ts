import { ConfigError } from "../../errors.js";
import { HttpError, json, readJson, SCOPES, type Route } from "../../server/index.js";
import type { JobRequest, PlatformDeps } from "../platform-deps.js";
import type { Job } from "../platform-types.js";
import { jobListQuery } from "./job-list-query.js";
import { ownerFilter, visibleJob } from "./visible-job.js";

/** `api/v1/jobs`: submit, list, one job with its files and results, cancel. */
export function jobRoutes(deps: PlatformDeps): Route[] {
  return [
    {
      method: "POST",
      path: "api/v1/jobs",
      scope: SCOPES.jobs,
      async handle({ req, ctx, claims }) {
        const call = "submit job";
        const body = await readJson(req, ctx.options.maxBodyBytes, call);
        if (typeof body !== "object" || body === null || Array.isArray(body)) {
          throw new HttpError(400, `${call}: the body must be a JSON object such as {"solver": "heat1d", "parameters": {}}`);
        }
        try {
          return json(await deps.jobs.submit(claims.sub, body as JobRequest), 201);
        } catch (error) {
          // The job service checks the request; its ConfigErrors are the caller's to fix.
          if (error instanceof ConfigError) throw new HttpError(400, `${call}: ${error.message}`);
          throw error;
        }
      },
    },
    {
      method: "GET",
      path: "api/v1/jobs",
      scope: SCOPES.jobs,
      async handle({ req, claims }) {
        const query = jobListQuery(req, ownerFilter(claims));
        const { jobs, total } = deps.db.listJobs(query);
        return json({ jobs, total, limit: query.limit, offset: query.offset });
      },
    },
    {
      method: "GET",
      path: "api/v1/jobs/:jobId",
      scope: SCOPES.jobs,
      async handle({ params, claims }) {
        const job = visibleJob(deps, claims, params.get("jobId"));
        return json({ ...job, ...(await outputsOf(deps, job)) });
      },
    },
    {
      method: "DELETE",
      path: "api/v1/jobs/:jobId",
      scope: SCOPES.jobs,
      async handle({ params, claims }) {
        const job = visibleJob(deps, claims, params.get("jobId"));
        return json(await deps.jobs.cancel(job.id));
      },
    },
  ];
}

/** The job's stored outputs and results, read from the protocol server's store; none before its run node exists. */
async function outputsOf(deps: PlatformDeps, job: Job): Promise<{ files: { path: string; size: number }[]; results: unknown[] }> {
  const store = deps.server.current?.store;
  if (!job.runId || !store) return { files: [], results: [] };
  const [files, results] = await Promise.all([store.files(job.runId), store.results(job.runId)]);
  return {
    files: files.map((file) => ({ path: file.path ?? file.originalname ?? file.filename, size: file.size })).sort((a, b) => a.path.localeCompare(b.path)),
    results,
  };
}
