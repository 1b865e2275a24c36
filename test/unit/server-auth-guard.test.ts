import type { IncomingMessage } from "node:http";
import jwt from "jsonwebtoken";
import { describe, expect, it } from "vitest";
import { authGuard, mintToken, permissionGuard, SCOPES } from "../../src/server/index.js";

/** authGuard reads only the headers: a plain object with them stands in for a request. */
const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const SECRET = "unit-test-secret-0123456789";

describe("authGuard", () => {
  it("static mode: the auth-token header or a Bearer must equal the token; all scopes", () => {
    const guard = authGuard({ token: "t0k3n" });
    expect(guard(request({ "auth-token": "t0k3n" }))).toMatchObject({ mode: "static" });
    expect(guard(request({ authorization: "Bearer t0k3n" }))).toMatchObject({ mode: "static" });
    expect(() => guard(request({ "auth-token": "t0k3n2" }))).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => guard(request({}))).toThrow(expect.objectContaining({ status: 401, message: "missing auth token" }));
    expect(() => permissionGuard("runs:write")(guard(request({ "auth-token": "t0k3n" })))).not.toThrow();
  });

  it("JWT mode: minted tokens pass with their subject and scopes", () => {
    const guard = authGuard({ jwtSecret: SECRET });
    const token = mintToken(SECRET, { sub: "alice", scope: [SCOPES.runner, SCOPES.runsRead], expiresIn: 60 });
    expect(jwt.decode(token)).toMatchObject({ sub: "alice", scope: "runner runs:read" });
    expect(guard(request({ "auth-token": token }))).toEqual({ sub: "alice", scopes: ["runner", "runs:read"], mode: "jwt" });
  });

  it("JWT mode: refuses what is not an HS256 token signed with the secret, without echoing it", () => {
    const guard = authGuard({ jwtSecret: SECRET });
    const none = jwt.sign({ scope: "runner" }, "", { algorithm: "none" });
    for (const token of [none, mintToken("other-secret-0123456789", { sub: "x", scope: [], expiresIn: 60 }), "garbage"]) {
      try {
        guard(request({ "auth-token": token }));
        expect.unreachable();
      } catch (error) {
        expect((error as { status: number }).status).toBe(401);
        expect((error as Error).message).not.toContain(token);
      }
    }
  });

  it("needs a token or a secret", () => {
    expect(() => authGuard({})).toThrow(/token or a jwtSecret/);
  });
});

describe("permissionGuard", () => {
  it("throws a 403 when the scope is missing", () => {
    const claims = { sub: "x", scopes: [SCOPES.runsRead], mode: "jwt" as const };
    expect(() => permissionGuard(SCOPES.runsRead)(claims)).not.toThrow();
    expect(() => permissionGuard(SCOPES.runner)(claims)).toThrow(expect.objectContaining({ status: 403 }));
  });
});
