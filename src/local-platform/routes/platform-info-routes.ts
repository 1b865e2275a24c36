import { json, PUBLIC, SCOPES, type Route } from "../../server/index.js";
import { checkHealth } from "../health/health-check.js";
import type { PlatformDeps } from "../platform-deps.js";
import { ownerFilter } from "./visible-job.js";

/**
 * `api/v1/jobs/stats`, `api/v1/solvers`, `api/v1/health`. Listed before the job routes: the router
 * takes the first match, and `jobs/stats` must not be read as the job "stats".
 */
export function platformInfoRoutes(deps: PlatformDeps): Route[] {
  return [
    {
      method: "GET",
      path: "api/v1/jobs/stats",
      scope: SCOPES.jobs,
      async handle({ claims }) {
        return json(deps.db.stats(ownerFilter(claims)));
      },
    },
    {
      method: "GET",
      path: "api/v1/solvers",
      scope: SCOPES.jobs,
      async handle() {
        const solvers = [...deps.settings.solvers.values()].sort((a, b) => a.name.localeCompare(b.name));
        return json(solvers.map(({ name, description }) => ({ name, description })));
      },
    },
    {
      method: "GET",
      path: "api/v1/health",
      scope: PUBLIC,
      async handle() {
        const health = await checkHealth(deps);
        return json(health, health.ok ? 200 : 503);
      },
    },
  ];
}
