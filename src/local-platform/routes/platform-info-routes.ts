import { json, PUBLIC, SCOPES, type Route } from "../../server/index.js";
import { checkHealth, type Health } from "../health/health-check.js";
import type { PlatformDeps } from "../platform-deps.js";
import { ownerFilter } from "./visible-job.js";

/**
 * `api/v1/jobs/stats`, `api/v1/solvers`, `api/v1/health`. Listed before the job routes: the router
 * takes the first match, and `jobs/stats` must not be read as the job "stats".
 */
export function platformInfoRoutes(deps: PlatformDeps): Route[] {
  // Callers at the same moment share one check: a public route must not open a NATS connection per request.
  let checking: Promise<Health> | undefined;
  const health = () => (checking ??= checkHealth(deps).finally(() => (checking = undefined)));
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
        const answer = await health();
        return json(answer, answer.ok ? 200 : 503);
      },
    },
  ];
}
