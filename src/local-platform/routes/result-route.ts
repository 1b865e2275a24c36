import { notFound, SCOPES, type Route } from "../../server/index.js";
import { RESULT_ZIP, storedOutput } from "../logs/stored-output.js";
import type { PlatformDeps } from "../platform-deps.js";
import { ENDED_STATUSES, type Job } from "../platform-types.js";
import { visibleJob } from "./visible-job.js";

/** `GET api/v1/jobs/{id}/result`: the result.zip the runner stored for the job, streamed. */
export function resultRoutes(deps: PlatformDeps): Route[] {
  return [
    {
      method: "GET",
      path: "api/v1/jobs/:jobId/result",
      scope: SCOPES.jobs,
      async handle({ params, claims }) {
        const job = visibleJob(deps, claims, params.get("jobId"));
        const zip = await storedOutput(deps, job, RESULT_ZIP);
        if (!zip) throw notFound(noResultYet(job));
        return {
          status: 200,
          file: zip.file,
          size: zip.size,
          contentType: "application/zip",
          headers: { "Content-Disposition": `attachment; filename="${resultFilename(job)}"` },
        };
      },
    },
  ];
}

/** `<solver>-<jobId>.zip`, with anything but letters, digits, ".", "_" and "-" made "_": it goes in a header. */
export function resultFilename(job: Pick<Job, "solver" | "id">): string {
  return `${job.solver}-${job.id}.zip`.replace(/[^A-Za-z0-9._-]/g, "_");
}

function noResultYet(job: Job): string {
  if (!ENDED_STATUSES.includes(job.status)) return `job "${job.id}" has no result.zip yet (it is ${job.status}); it is stored when the run ends`;
  return `job "${job.id}" has no result.zip: it ended ${job.status} without one (the runner packs it from solverConfig.json's "downloadable")`;
}
