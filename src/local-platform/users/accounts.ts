import { randomUUID } from "node:crypto";
import { SCOPES } from "../../server/index.js";
import type { PlatformDb, User } from "../platform-types.js";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./password.js";

/** The user as the API shows it: never the hash. */
export interface PublicUser {
  id: string;
  name: string;
  scopes: string[];
}

export function publicUser(user: User): PublicUser {
  return { id: user.id, name: user.name, scopes: [...user.scopes] };
}

/**
 * A new user, or "taken" when the name is. The first user is the admin. The hash is computed
 * before the count and the insert, which then run with nothing awaited between them: two
 * registrations at once cannot both become the first.
 */
export async function createUser(db: PlatformDb, name: string, password: string, now = new Date()): Promise<User | "taken"> {
  if (db.userByName(name)) return "taken";
  const passwordHash = await hashPassword(password);
  if (db.userByName(name)) return "taken";
  const scopes = db.countUsers() === 0 ? [SCOPES.jobs, SCOPES.admin] : [SCOPES.jobs];
  const user: User = { id: randomUUID(), name, passwordHash, scopes, createdAt: now.toISOString() };
  db.insertUser(user);
  return user;
}

/** The user whose name and password these are; undefined for a wrong name or a wrong password alike. */
export async function authenticate(db: PlatformDb, name: string, password: string): Promise<User | undefined> {
  const user = db.userByName(name);
  if (!user) {
    await burnPasswordCheck(password);
    return undefined;
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : undefined;
}
