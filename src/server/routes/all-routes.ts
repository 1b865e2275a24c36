import type { Route } from "../http/router.js";
import type { ResolvedOptions } from "../server-options.js";
import { abortRoutes } from "./abort.js";
import { capabilityRoutes } from "./capabilities.js";
import { downloadRoutes } from "./download.js";
import { resultRoutes } from "./results.js";
import { runDataRoutes } from "./run-data.js";
import { runRoutes } from "./runs.js";
import { runsListingRoutes } from "./runs-listing.js";
import { appendRoutes } from "./storage-append.js";
import { chunkRoutes } from "./storage-chunks.js";
import { uploadRoutes } from "./uploads.js";

/** The server's routes; a v1-only server (v2 off) has neither capabilities nor v2 uploads. */
export function allRoutes(options: ResolvedOptions): Route[] {
  return [
    ...runDataRoutes,
    ...downloadRoutes,
    ...runRoutes,
    ...resultRoutes,
    ...appendRoutes,
    ...chunkRoutes,
    ...(options.v2 ? [...capabilityRoutes, ...uploadRoutes] : []),
    ...runsListingRoutes,
    ...abortRoutes,
  ];
}
