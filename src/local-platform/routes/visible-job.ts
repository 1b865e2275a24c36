import { hasScope, notFound, SCOPES, type AuthClaims } from "../../server/index.js";
import type { PlatformDeps } from "../platform-deps.js";
import type { Job } from "../platform-types.js";

/** Whether the caller sees every user's jobs and reports. */
export function isAdmin(claims: AuthClaims): boolean {
  return hasScope(claims, SCOPES.admin);
}

/** The owner a listing is limited to: the caller, or nobody in particular for an admin. */
export function ownerFilter(claims: AuthClaims): string | undefined {
  return isAdmin(claims) ? undefined : claims.sub;
}

/** The job, when the caller may see it; another user's job is a 404, like one that does not exist. */
export function visibleJob(deps: PlatformDeps, claims: AuthClaims, jobId: string): Job {
  const job = deps.db.getJob(jobId);
  if (!job || (!isAdmin(claims) && job.owner !== claims.sub)) throw notFound(`no job "${jobId}"`);
  return job;
}
