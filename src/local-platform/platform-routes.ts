import type { Route } from "../server/index.js";
import { dashboardRoutes } from "./dashboard/dashboard-routes.js";
import type { PlatformDeps } from "./platform-deps.js";
import { reportRoutes } from "./reports/index.js";
import { authRoutes } from "./routes/auth-routes.js";
import { jobRoutes } from "./routes/job-routes.js";
import { logRoutes } from "./routes/log-routes.js";
import { outputRoutes } from "./routes/output-route.js";
import { platformInfoRoutes } from "./routes/platform-info-routes.js";
import { resultRoutes } from "./routes/result-route.js";

/**
 * Every route the platform adds to the protocol server, in the order the router tries them:
 * the fixed paths (`jobs/stats`) before the parameterised ones (`jobs/:jobId`).
 */
export function platformRoutes(deps: PlatformDeps): Route[] {
  return [
    ...authRoutes(deps),
    ...platformInfoRoutes(deps),
    ...jobRoutes(deps),
    ...logRoutes(deps),
    ...resultRoutes(deps),
    ...outputRoutes(deps),
    ...reportRoutes(deps),
    ...dashboardRoutes(deps),
  ];
}
