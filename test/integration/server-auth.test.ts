import { readFile } from "node:fs/promises";
import path from "node:path";
import jwt from "jsonwebtoken";
import { afterEach, describe, expect, it } from "vitest";
import { mintToken, SCOPES } from "../../src/server/index.js";
import { callServer, startTestServer, type TestServer } from "../helpers/server.js";

let t: TestServer;
afterEach(async () => {
  await t.cleanup();
});

const SECRET = "a-test-secret-of-some-length";
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

async function status(token: string | null, route = "runner/capabilities", headers: Record<string, string> = {}) {
  const res = await callServer(t, "GET", route, { token, headers });
  const body = (await res.json()) as { error?: string };
  return { status: res.status, error: body.error };
}

async function requestLog(): Promise<string> {
  return readFile(path.join(t.dataDir, "requests.jsonl"), "utf8");
}

describe("static token", () => {
  it("refuses a missing or wrong token with 401, takes the right one", async () => {
    t = await startTestServer();
    expect(await status(null)).toEqual({ status: 401, error: "missing auth token" });
    expect(await status("wrong")).toEqual({ status: 401, error: "invalid auth token" });
    expect((await status(t.token)).status).toBe(200);
    expect((await status(null, "runner/capabilities", { authorization: `Bearer ${t.token}` })).status).toBe(200);
  });

  it("never writes the token to requests.jsonl", async () => {
    t = await startTestServer();
    await status(t.token);
    await status("wrong-token-value");
    await callServer(t, "GET", `runs?token=${t.token}`);
    await t.server.close();
    const log = await requestLog();
    expect(log.trim().split("\n")).toHaveLength(3);
    expect(log).not.toContain(t.token);
    expect(log).not.toContain("wrong-token-value");
    const line = JSON.parse(log.split("\n")[0]!) as Record<string, unknown>;
    expect(Object.keys(line).sort()).toEqual(["at", "method", "ms", "path", "status"]);
  });
});

describe("JWT", () => {
  const runner = () => mintToken(SECRET, { sub: "runner-1", scope: [SCOPES.runner], expiresIn: "5m" });

  it("takes a right HS256 token, in auth-token or as a Bearer", async () => {
    t = await startTestServer({ jwtSecret: SECRET });
    expect((await status(runner())).status).toBe(200);
    expect((await status(null, "runner/capabilities", { authorization: `Bearer ${runner()}` })).status).toBe(200);
    // A scope claim given as an array is read too.
    const arrayScope = jwt.sign({ scope: [SCOPES.runner] }, SECRET, { algorithm: "HS256", expiresIn: 60 });
    expect((await status(arrayScope)).status).toBe(200);
  });

  it("refuses missing, wrongly signed, expired and alg:none tokens with 401, echoing nothing", async () => {
    t = await startTestServer({ jwtSecret: SECRET });
    const wrongSecret = mintToken("another-secret-of-some-length", { sub: "x", scope: [SCOPES.runner], expiresIn: "5m" });
    const expired = jwt.sign({ scope: SCOPES.runner, exp: Math.floor(Date.now() / 1000) - 60 }, SECRET, { algorithm: "HS256" });
    const none = `${base64url({ alg: "none", typ: "JWT" })}.${base64url({ sub: "x", scope: SCOPES.runner, exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    const hs512 = jwt.sign({ scope: SCOPES.runner }, SECRET, { algorithm: "HS512", expiresIn: 60 });
    expect(await status(null)).toEqual({ status: 401, error: "missing auth token" });
    expect(await status(wrongSecret)).toEqual({ status: 401, error: "invalid auth token" });
    expect(await status(expired)).toEqual({ status: 401, error: "auth token expired" });
    expect(await status(none)).toEqual({ status: 401, error: "invalid auth token" });
    expect(await status(hs512)).toEqual({ status: 401, error: "invalid auth token" });
    expect(await status("not.a.jwt")).toEqual({ status: 401, error: "invalid auth token" });
  });

  it("refuses a token without the route's scope with 403", async () => {
    t = await startTestServer({ jwtSecret: SECRET });
    const reader = mintToken(SECRET, { sub: "ui", scope: [SCOPES.runsRead], expiresIn: "5m" });
    expect(await status(reader)).toEqual({ status: 403, error: 'this call needs the scope "runner"' });
    expect((await status(reader, "runs")).status).toBe(200);
    expect((await status(runner(), "runs")).status).toBe(403);
    const abort = await callServer(t, "POST", "runs/r1/abort", { token: reader });
    expect(abort.status).toBe(403);
  });

  it("never writes a JWT or the secret to requests.jsonl", async () => {
    t = await startTestServer({ jwtSecret: SECRET });
    const token = runner();
    await status(token);
    await status(null, "runner/capabilities", { authorization: `Bearer ${token}` });
    await t.server.close();
    const log = await requestLog();
    expect(log).not.toContain(token);
    expect(log).not.toContain(token.split(".")[1]!);
    expect(log).not.toContain(SECRET);
  });
});
