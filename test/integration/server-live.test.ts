import { io as connect, type Socket } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import type { RunAbortEvent, RunLogEvent, RunStatusEvent } from "../../src/platform/types.js";
import { mintToken, SCOPES } from "../../src/server/index.js";
import { callServer, startTestServer, type TestServer } from "../helpers/server.js";

let t: TestServer;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.disconnect();
  await t.cleanup();
});

function open(token: string): Socket {
  const socket = connect(t.url, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
  sockets.push(socket);
  return socket;
}

async function joined(token: string, runId: string, event: "join" | "run:join" = "join"): Promise<Socket> {
  const socket = open(token);
  const answer = await socket.timeout(5000).emitWithAck(event, { runId });
  expect(answer).toEqual({ ok: true, room: `run:${runId}` });
  return socket;
}

function next<T>(socket: Socket, event: string): Promise<T> {
  return new Promise((resolve) => socket.once(event, (payload: T) => resolve(payload)));
}

function refused(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once("connect_error", (error) => resolve(error.message));
    socket.once("connect", () => reject(new Error("connected without a valid token")));
  });
}

describe("socket.io", () => {
  it("relays a runner's run:status and run:log to a watcher in the room, not to other rooms", async () => {
    t = await startTestServer();
    const watcher = await joined(t.token, "r1");
    const runner = await joined(t.token, "r1", "run:join");
    const elsewhere = await joined(t.token, "r2");
    let leaked = false;
    elsewhere.on("run:status", () => (leaked = true));
    runner.on("run:status", () => (leaked = true)); // not echoed to the sender

    const status: RunStatusEvent = { runId: "r1", status: "running", progress: 42, statusLabel: "solver" };
    const gotStatus = next<RunStatusEvent>(watcher, "run:status");
    expect(await runner.timeout(5000).emitWithAck("run:status", status)).toEqual({ ok: true });
    expect(await gotStatus).toEqual(status);

    const log: RunLogEvent = { runId: "r1", lines: ["step 1", "step 2"] };
    const gotLog = next<RunLogEvent>(watcher, "run:log");
    runner.emit("run:log", log);
    expect(await gotLog).toEqual(log);

    expect(await runner.timeout(5000).emitWithAck("run:status", { runId: "r1", status: "bogus" })).toMatchObject({ ok: false });
    expect(leaked).toBe(false);
  });

  it("delivers abortRun() and POST runs/{id}/abort to the runner's socket", async () => {
    t = await startTestServer();
    const runner = await joined(t.token, "r9");
    const first = next<RunAbortEvent>(runner, "run:abort");
    t.server.abortRun("r9");
    expect(await first).toEqual({ runId: "r9" });

    const second = next<RunAbortEvent>(runner, "run:abort");
    const res = await callServer(t, "POST", "runs/r9/abort");
    expect(await res.json()).toEqual({ runId: "r9", sockets: 1 });
    expect(await second).toEqual({ runId: "r9" });
  });

  it("refuses a connection without a valid token", async () => {
    t = await startTestServer();
    expect(await refused(open("wrong"))).toBe("invalid auth token");
    expect(await refused(open(""))).toBe("missing auth token");
  });

  it("in JWT mode needs a token with the runner or runs:read scope", async () => {
    const secret = "live-test-secret-0123456789";
    t = await startTestServer({ jwtSecret: secret });
    const other = mintToken(secret, { sub: "x", scope: ["other"], expiresIn: 60 });
    expect(await refused(open(other))).toContain("scope");
    const watcherToken = mintToken(secret, { sub: "ui", scope: [SCOPES.runsRead], expiresIn: 60 });
    const watcher = await joined(watcherToken, "r1");
    // A watcher may not speak for the runner.
    expect(await watcher.timeout(5000).emitWithAck("run:log", { runId: "r1", lines: ["x"] })).toMatchObject({ ok: false });
  });

  it("is not there when switched off", async () => {
    t = await startTestServer({ socketIo: false });
    expect(await refused(open(t.token))).toBeTruthy();
  });
});
