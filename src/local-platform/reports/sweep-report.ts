import { notFound, type AuthClaims } from "../../server/index.js";
import type { PlatformDeps } from "../platform-deps.js";
import { ownerFilter } from "../routes/visible-job.js";
import type { Job } from "../platform-types.js";
import { renderSweepReport, type SweepReportPoint } from "./sweep-report-page.js";
import { writeFileAtomic } from "./write-file-atomic.js";

/** The points of a sweep the caller may see; none (another user's sweep, or no such sweep) is a 404. */
export function visibleSweep(deps: PlatformDeps, claims: AuthClaims, sweepId: string): Job[] {
  const { jobs } = deps.db.listJobs({ owner: ownerFilter(claims), sweepId, limit: 200, offset: 0 });
  if (!jobs.length) throw notFound(`no sweep "${sweepId}"`);
  return jobs.sort(byParameters);
}

/** Points in the order of their parameter values (numbers as numbers): the table reads like the sweep. */
export function byParameters(a: Job, b: Job): number {
  for (const name of Object.keys(a.parameters)) {
    const x = a.parameters[name];
    const y = b.parameters[name];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x).localeCompare(String(y));
  }
  return a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
}

export async function writeSweepReport(deps: PlatformDeps, sweepId: string, jobs: Job[], target: string): Promise<void> {
  const store = deps.server.current?.store;
  const points: SweepReportPoint[] = [];
  for (const job of jobs) {
    const entries = job.runId && store ? await store.results(job.runId) : [];
    points.push({ jobId: job.id, status: job.status, parameters: job.parameters, results: Object.fromEntries(entries.map((r) => [r.name, r.value])) });
  }
  const solver = [...new Set(jobs.map((j) => j.solver))].join(", ");
  await writeFileAtomic(target, renderSweepReport({ sweepId, solver, points, generatedAt: new Date() }));
}
