import { mintToken } from "../../server/index.js";
import type { User } from "../platform-types.js";

/** How long a user's token works: a working day, then log in again. */
export const USER_TOKEN_SECONDS = 12 * 60 * 60;

/** The user's JWT: subject the user id, scope "jobs" or "jobs admin". */
export function userToken(secret: string, user: User): string {
  return mintToken(secret, { sub: user.id, scope: user.scopes, expiresIn: USER_TOKEN_SECONDS });
}
