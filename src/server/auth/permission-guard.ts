import { HttpError } from "../http/http-error.js";
import type { AuthClaims } from "./auth-guard.js";

/**
 * Like the Python package's permission_guard: claims without `scope` throw a 403. A static token
 * holds every scope.
 */
export function permissionGuard(scope: string): (claims: AuthClaims) => void {
  return (claims) => {
    if (!hasScope(claims, scope)) throw new HttpError(403, `this call needs the scope "${scope}"`);
  };
}

export function hasScope(claims: AuthClaims, scope: string): boolean {
  return claims.mode === "static" || claims.scopes.includes(scope);
}
