/**
 * The scopes a JWT can carry (claim `scope`, space-separated), in one place. In static-token mode
 * the token holds them all.
 */
export const SCOPES = {
  /** Every call a runner makes: run data, run node, storage, results, v2 uploads, capabilities, socket.io. */
  runner: "runner",
  /** Reading runs back: `GET runs`, `GET runs/{id}`; watching a run's room on socket.io. */
  runsRead: "runs:read",
  /** Controlling runs: `POST runs/{id}/abort`. */
  runsWrite: "runs:write",
  /** The job API of the local platform (`/api/v1`): one's own jobs and reports. */
  jobs: "jobs",
  /** The job API over every user's jobs. */
  admin: "admin",
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/** A route anyone may call, with no credential (login, the dashboard's page, a pre-signed URL). */
export const PUBLIC = "public";

export const ALL_SCOPES: readonly Scope[] = Object.values(SCOPES);
