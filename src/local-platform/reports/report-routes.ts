/**
 * Reports: `POST api/v1/reports` builds one (of a job or of a sweep) under DATA/reports/,
 * `GET api/v1/reports/{id}` gives a fresh pre-signed link to it, and the link itself,
 * `GET api/v1/reports/{id}/download?expires=&signature=`, serves it to whoever holds it, no token.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { json, notFound, PUBLIC, readJson, SCOPES, type AuthClaims, type Route } from "../../server/index.js";
import { sizeOf } from "../../server/store/file-size.js";
import type { PlatformDeps } from "../platform-deps.js";
import type { Report } from "../platform-types.js";
import { queryParam } from "../routes/query-param.js";
import { isAdmin, visibleJob } from "../routes/visible-job.js";
import { writeJobReport } from "./job-report.js";
import { REPORT_CSP } from "../../report/html-page.js";
import { verifyPresigned } from "./presign.js";
import { reportLink } from "./report-link.js";
import { reportRequestOf } from "./report-request.js";
import { visibleSweep, writeSweepReport } from "./sweep-report.js";

const MAX_BODY = 64 * 1024;

export function reportRoutes(deps: PlatformDeps): Route[] {
  return [
    {
      method: "POST",
      path: "api/v1/reports",
      scope: SCOPES.jobs,
      async handle({ req, claims }) {
        const request = reportRequestOf(await readJson(req, MAX_BODY, "POST api/v1/reports"));
        const id = randomUUID();
        const file = join(deps.settings.dataDir, "reports", `${id}.html`);
        if ("jobId" in request) {
          await writeJobReport(deps, visibleJob(deps, claims, request.jobId), file);
        } else {
          await writeSweepReport(deps, request.sweepId, visibleSweep(deps, claims, request.sweepId), file);
        }
        const report: Report = {
          id,
          owner: claims.sub,
          jobId: "jobId" in request ? request.jobId : null,
          sweepId: "sweepId" in request ? request.sweepId : null,
          file,
          createdAt: new Date().toISOString(),
        };
        deps.db.insertReport(report);
        return json(reportLink(deps, id), 201);
      },
    },
    {
      method: "GET",
      path: "api/v1/reports/:reportId",
      scope: SCOPES.jobs,
      async handle({ params, claims }) {
        return json(reportLink(deps, visibleReport(deps, claims, params.get("reportId")).id));
      },
    },
    {
      method: "GET",
      path: "api/v1/reports/:reportId/download",
      scope: PUBLIC,
      async handle({ req, params }) {
        const id = params.get("reportId");
        verifyPresigned(deps.settings.jwtSecret, id, queryParam(req, "expires"), queryParam(req, "signature"));
        const report = deps.db.getReport(id);
        const size = report ? await sizeOf(report.file) : undefined;
        if (!report || size === undefined) throw notFound(`report "${id}" is gone; make a new one: POST api/v1/reports`);
        return {
          status: 200,
          file: report.file,
          size,
          contentType: "text/html; charset=utf-8",
          headers: { "Content-Security-Policy": REPORT_CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer" },
        };
      },
    },
  ];
}

/** The report, when the caller made it or is an admin; another user's is a 404, like one that does not exist. */
function visibleReport(deps: PlatformDeps, claims: AuthClaims, id: string): Report {
  const report = deps.db.getReport(id);
  if (!report || (!isAdmin(claims) && report.owner !== claims.sub)) throw notFound(`no report "${id}"`);
  return report;
}
