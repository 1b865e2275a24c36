import { HttpError, json, PUBLIC, readJson, SCOPES, type Route } from "../../server/index.js";
import type { PlatformDeps } from "../platform-deps.js";
import { authenticate, createUser, publicUser } from "../users/accounts.js";
import { userToken } from "../users/user-token.js";
import { credentialsBody } from "./credentials-body.js";

/** `api/v1/auth/*`: register, log in, who am I. */
export function authRoutes(deps: PlatformDeps): Route[] {
  const { db, settings } = deps;
  return [
    {
      method: "POST",
      path: "api/v1/auth/register",
      scope: PUBLIC,
      async handle({ req, ctx }) {
        const call = "register";
        const { name, password } = credentialsBody(await readJson(req, ctx.options.maxBodyBytes, call), call, "register");
        const user = await createUser(db, name, password);
        if (user === "taken") throw new HttpError(409, `${call}: the name "${name}" is taken; choose another, or log in`);
        return json({ user: publicUser(user), token: userToken(settings.jwtSecret, user) }, 201);
      },
    },
    {
      method: "POST",
      path: "api/v1/auth/login",
      scope: PUBLIC,
      async handle({ req, ctx }) {
        const call = "login";
        const { name, password } = credentialsBody(await readJson(req, ctx.options.maxBodyBytes, call), call, "login");
        const user = await authenticate(db, name, password);
        if (!user) throw new HttpError(401, "invalid name or password", { headers: { "WWW-Authenticate": 'Bearer realm="physicsworks"' } });
        return json({ user: publicUser(user), token: userToken(settings.jwtSecret, user) });
      },
    },
    {
      method: "GET",
      path: "api/v1/auth/me",
      scope: SCOPES.jobs,
      async handle({ claims }) {
        const user = db.userById(claims.sub);
        if (!user) throw new HttpError(401, "the token's user does not exist on this platform; log in again");
        return json(publicUser(user));
      },
    },
  ];
}
