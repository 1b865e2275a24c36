import { SCOPES } from "../auth/scopes.js";
import { notFound } from "../http/http-error.js";
import type { Route } from "../http/router.js";
import { sizeOf } from "../store/file-size.js";

/** `GET simulation/run_data/read/{project}/{simulation}`: the run data seeded at `DATA/run-data/{project}/{simulation}.json`. */
export const runDataRoutes: Route[] = [
  {
    method: "GET",
    path: "simulation/run_data/read/:project/:simulation",
    scope: SCOPES.runner,
    async handle({ params, ctx }) {
      const project = params.get("project");
      const simulation = params.get("simulation");
      const file = ctx.paths.runData(project, simulation);
      const size = await sizeOf(file);
      if (size === undefined) throw notFound(`no run data for project "${project}", simulation "${simulation}"`);
      return { status: 200, file, size, contentType: "application/json; charset=utf-8" };
    },
  },
];

