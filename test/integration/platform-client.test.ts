import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { AbortError, ExitCode, PlatformError } from "../../src/errors.js";
import { createPlatformClient, PlatformCallError, type RunNode } from "../../src/platform/index.js";
import { closedPort, hangingPort, sendJson } from "../helpers/http-stub.js";
import { STUB_TOKEN, useStubClients } from "../helpers/stub-client.js";

const TOKEN = STUB_TOKEN;

const { clientFor, serve } = useStubClients();

const runNode: RunNode = { id: "run9", name: "Run 9", children: [{ slug: "logs", children: [] }] };

async function failureOf(promise: Promise<unknown>): Promise<PlatformCallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformCallError);
  return error as PlatformCallError;
}

function expectNoToken(error: unknown) {
  expect(String((error as Error).message)).not.toContain(TOKEN);
  expect(String((error as Error).stack)).not.toContain(TOKEN);
  expect(JSON.stringify(error)).not.toContain(TOKEN);
  expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(TOKEN);
}

describe("platform client: the calls", () => {
  it("sends each v1 call where protocol.md says, with the token header and JSON bodies", async () => {
    const { stub, client } = await serve((req, res) => {
      if (req.url.startsWith("/simulation/run_data/read/")) {
        return sendJson(res, 200, {
          simulation: { tree: {}, meshes: [{ id: "m1", rawMeshFile: "raw1.msh" }] },
          materials: [],
          inputs: {},
          physicsFeature: { config: {}, scripts: "scr1" },
        });
      }
      if (req.url === "/simulation/run/update/sim%201") return sendJson(res, 200, runNode);
      sendJson(res, 200, { ok: true });
    });
    const data = await client.readRunData("proj1", "sim 1");
    expect(data.simulation.meshes[0]?.rawMeshFile).toBe("raw1.msh");
    expect(await client.createRun("sim 1")).toEqual(runNode);
    await client.updateRun("sim1", "run9", { node: { ...runNode, status: "running" } });
    await client.patchResults("run9", [{ name: "T", type: "scalar", value: 3 }]);

    expect(stub.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /simulation/run_data/read/proj1/sim%201",
      "PUT /simulation/run/update/sim%201",
      "PUT /simulation/run/update/sim1/run9",
      "PUT /simulation/run/patch/run9",
    ]);
    for (const r of stub.requests) expect(r.headers["auth-token"]).toBe(TOKEN);
    expect(stub.requests[1]?.body.toString()).toBe("{}");
    expect(JSON.parse(stub.requests[2]!.body.toString())).toEqual({ node: { ...runNode, status: "running" } });
    expect(JSON.parse(stub.requests[3]!.body.toString())).toEqual({ results: [{ name: "T", type: "scalar", value: 3 }] });
    expect(stub.requests[3]?.headers["content-type"]).toBe("application/json");
  });

  it("adds the final / to host", async () => {
    const { stub } = await serve((_req, res) => sendJson(res, 200, runNode));
    const { client } = clientFor(`${stub.url}api`);
    await client.createRun("s");
    expect(stub.requests[0]?.url).toBe("/api/simulation/run/update/s");
  });
});

describe("platform client: retries and failures", () => {
  it("retries a 503 and then succeeds", async () => {
    const { stub, client, delays } = await serve((req, res) =>
      req.index === 0 ? sendJson(res, 503, { message: "busy" }) : sendJson(res, 200, runNode),
    );
    expect(await client.createRun("sim1")).toEqual(runNode);
    expect(stub.requests).toHaveLength(2);
    expect(delays).toEqual([250]);
  });

  it("honours Retry-After: 2 (a 2000 ms wait)", async () => {
    const { stub, client, delays } = await serve((req, res) =>
      req.index === 0 ? sendJson(res, 429, {}, { "retry-after": "2" }) : sendJson(res, 200, {}),
    );
    await client.updateRun("sim1", "run9", { node: runNode });
    expect(stub.requests).toHaveLength(2);
    expect(delays).toEqual([2000]);
  });

  it("does not retry a 400, and names the call, the status and the platform's reason", async () => {
    const { stub, client } = await serve((_req, res) => sendJson(res, 400, { message: "node.children is required" }));
    const error = await failureOf(client.updateRun("sim1", "run9", { node: runNode }));
    expect(stub.requests).toHaveLength(1);
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      "update run (PUT simulation/run/update/sim1/run9): the platform answered 400 Bad Request: node.children is required",
    );
  });

  it("401: exit code 3, says to check the token, and never shows it", async () => {
    const { stub, client } = await serve((req, res) =>
      sendJson(res, 401, { message: `invalid token ${String(req.headers["auth-token"])}` }),
    );
    const error = await failureOf(client.readRunData("p", "s"));
    expect(stub.requests).toHaveLength(1);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error.exitCode).toBe(ExitCode.platform);
    expect(error.status).toBe(401);
    expect(error.message).toContain("read run data (GET simulation/run_data/read/p/s)");
    // The platform's reason comes along (the token it echoed, redacted).
    expect(error.message).toMatch(/the platform at http:\/\/127\.0\.0\.1:\d+ refused the token \(401 Unauthorized: invalid token \*\*\*\)/);
    expect(error.message).toContain('check the token (config "token", PHYSICSWORKS_TOKEN or --tokenFile)');
    expectNoToken(error);
  });

  it("an answer that echoes the token is redacted", async () => {
    const { client } = await serve((req, res) =>
      sendJson(res, 400, { message: `bad header auth-token: ${String(req.headers["auth-token"])}` }),
    );
    const error = await failureOf(client.patchResults("r", []));
    expect(error.message).toContain("auth-token: ***");
    expectNoToken(error);
  });

  it("an echoed token that the message's length limit would cut in two is redacted whole, for a 401 too", async () => {
    const { client } = await serve((req, res) => sendJson(res, 401, { message: `${"x".repeat(190)} ${String(req.headers["auth-token"])}` }));
    const error = await failureOf(client.readRunData("p", "s"));
    expect(error.message).toContain("x ***");
    expect(error.message).not.toContain(TOKEN.slice(0, 6));
  });

  it("connection refused: retried, then a clear error without the token", async () => {
    const port = await closedPort();
    const { client, delays } = clientFor(`http://127.0.0.1:${port}/`, { retry: { tries: 3 } });
    const error = await failureOf(client.createRun("sim1"));
    expect(delays).toHaveLength(2);
    expect(error.message).toMatch(
      /^create run \(PUT simulation\/run\/update\/sim1\): cannot connect to http:\/\/127\.0\.0\.1:\d+: connection refused; is the platform running, and is "host" right\? \(gave up after 3 tries\)$/,
    );
    expect((error.cause as { code?: string }).code).toBe("ECONNREFUSED");
    expectNoToken(error);
  });

  it("a connect that hangs: cut by the connect timeout, retried, then a clear error", async () => {
    const hanging = await hangingPort();
    try {
      const { client, delays } = clientFor(`http://127.0.0.1:${hanging.port}/`, { connectTimeoutMs: 100, retry: { tries: 2 } });
      const started = Date.now();
      const error = await failureOf(client.capabilities());
      expect(Date.now() - started).toBeLessThan(2000);
      expect(delays).toHaveLength(1);
      expect(error.message).toBe(
        `read capabilities (GET runner/capabilities): could not connect to http://127.0.0.1:${hanging.port} within 100 ms (connect timeout; option connectTimeoutMs) (gave up after 2 tries)`,
      );
    } finally {
      hanging.close();
    }
  });

  it("a dropped connection (socket destroyed) is retried", async () => {
    const { stub, client, delays } = await serve((req, res) => {
      if (req.index === 0) return void res.socket?.destroy();
      sendJson(res, 200, runNode);
    });
    expect(await client.createRun("sim1")).toEqual(runNode);
    expect(stub.requests).toHaveLength(2);
    expect(delays).toHaveLength(1);
  });

  it("a 200 HTML page is a clear error naming the call, not retried", async () => {
    const { stub, client } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><html><head><title>Sign in</title></head><body>…</body></html>");
    });
    const error = await failureOf(client.readRunData("p", "s"));
    expect(stub.requests).toHaveLength(1);
    expect(error.message).toMatch(
      /^read run data \(GET simulation\/run_data\/read\/p\/s\): the platform answered 200 with text\/html instead of JSON; is "host" the platform's API address\? The answer began: <!doctype html>/,
    );
  });

  it("a truncated JSON answer is a clear error", async () => {
    const { client } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"id": "run9", "name": "Run 9", "children": [{"slug": "lo');
    });
    const error = await failureOf(client.createRun("sim1"));
    expect(error.message).toMatch(/^create run \(PUT simulation\/run\/update\/sim1\): the platform answered 200 with JSON that does not parse .*was the answer cut off\?/);
  });

  it("a JSON answer without a needed field names the field", async () => {
    const { client } = await serve((_req, res) => sendJson(res, 200, { id: "run9", children: [] }));
    const error = await failureOf(client.createRun("sim1"));
    expect(error.message).toBe(
      'create run (PUT simulation/run/update/sim1): the platform\'s answer is not what the runner needs: "name" must be a string (got nothing)',
    );
  });

  it("a server that never answers: retried, then an error naming the response timeout", async () => {
    const { stub } = await serve(() => {
      // Never answers.
    });
    const { client, delays } = clientFor(stub.url, { responseTimeoutMs: 150, retry: { tries: 2 } });
    const started = Date.now();
    const error = await failureOf(client.readRunData("p", "s"));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(stub.requests).toHaveLength(2);
    expect(delays).toHaveLength(1);
    expect(error.message).toBe(
      "read run data (GET simulation/run_data/read/p/s): no answer within 150 ms (response timeout; option responseTimeoutMs) (gave up after 2 tries)",
    );
    expectNoToken(error);
  });

  it("an abort ends a call under way with an AbortError", async () => {
    const { stub } = await serve(() => {
      // Never answers.
    });
    const controller = new AbortController();
    const { client } = clientFor(stub.url, { signal: controller.signal });
    setTimeout(() => controller.abort(new AbortError("SIGTERM", "stop")), 50);
    const error = await client.readRunData("p", "s").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).reason).toBe("SIGTERM");
  });

  it("an append whose answer was lost is not sent again; a refused one is", async () => {
    const { stub, client } = await serve((req, res) => {
      if (req.index === 0) return sendJson(res, 503, {});
      if (req.index === 1) return void res.socket?.destroy();
      sendJson(res, 200, {});
    });
    const metadata = { project: "p", owner: "o", originalname: "main.log", resource: "j", resourceKind: "Run" as const, simulation: "s" };
    const error = await failureOf(
      client.appendFile({ filename: "u.log", bytes: Buffer.from("line\n"), isNew: false, metadata, isAscii: true }),
    );
    // 503 retried (not applied), the dropped connection not (maybe applied): the caller resends from the start.
    expect(stub.requests).toHaveLength(2);
    expect(error.message).toMatch(/^append to u\.log \(POST storage\/append\): the connection was dropped/);
  });

  it("rejects a host that is not an http(s) URL", () => {
    expect(() => createPlatformClient({ host: "localhost:3000", token: TOKEN })).toThrow(/"host" must be/);
  });
});
