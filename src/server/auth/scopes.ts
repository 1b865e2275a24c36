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
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

export const ALL_SCOPES: readonly Scope[] = Object.values(SCOPES);
