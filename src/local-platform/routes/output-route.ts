import { badRequest, notFound, SCOPES, type Route } from "../../server/index.js";
import { storedOutput } from "../logs/stored-output.js";
import { fileBytesReply } from "../logs/stream-file.js";
import { outputFilename, outputType } from "../logs/output-type.js";
import type { PlatformDeps } from "../platform-deps.js";
import { queryParam } from "./query-param.js";
import { visibleJob } from "./visible-job.js";

/**
 * `GET api/v1/jobs/{id}/outputs?path=plots/x.csv`: one of the job's stored outputs, by its path as
 * `GET api/v1/jobs/{id}` lists it. The path is only ever compared with the stored ones, never joined
 * to a folder, so nothing but the job's own outputs can be named. A query, not a path suffix: the
 * router matches a fixed number of segments.
 */
export function outputRoutes(deps: PlatformDeps): Route[] {
  return [
    {
      method: "GET",
      path: "api/v1/jobs/:jobId/outputs",
      scope: SCOPES.jobs,
      async handle({ req, params, claims }) {
        const job = visibleJob(deps, claims, params.get("jobId"));
        const outputPath = queryParam(req, "path");
        if (!outputPath) {
          throw badRequest(`outputs: ?path is required: one of the files GET api/v1/jobs/${job.id} lists (e.g. ?path=plots/temperature.csv)`);
        }
        const stored = await storedOutput(deps, job, outputPath);
        if (!stored) throw notFound(`job "${job.id}" has no output ${JSON.stringify(outputPath.slice(0, 200))}: GET api/v1/jobs/${job.id} lists its files`);
        const { contentType, inline } = outputType(outputPath);
        const headers: Record<string, string> = { "X-Content-Type-Options": "nosniff" };
        if (!inline) headers["Content-Disposition"] = `attachment; filename="${outputFilename(outputPath)}"`;
        // Up to the size taken now: a plot the solver is still appending to keeps to its Content-Length.
        return fileBytesReply(stored.file, stored.size, contentType, headers);
      },
    },
  ];
}
