import { afterEach, describe, expect, it } from "vitest";
import { PUBLIC, SCOPES, json, type Route, type ServerExtension } from "../../src/server/index.js";
import { callServer, startTestServer, type TestServer } from "../helpers/server.js";

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.cleanup()));
});

const routes: Route[] = [
  { method: "GET", path: "", scope: PUBLIC, handle: async () => ({ status: 200, body: "<h1>hi</h1>", contentType: "text/html; charset=utf-8" }) },
  { method: "GET", path: "api/v1/whoami", scope: PUBLIC, handle: async ({ claims }) => json({ sub: claims.sub, mode: claims.mode }) },
  { method: "DELETE", path: "api/v1/things/:id", scope: SCOPES.jobs, handle: async ({ params }) => json({ deleted: params.get("id") }) },
  {
    method: "GET",
    path: "api/v1/ticks",
    scope: PUBLIC,
    handle: async () => ({
      status: 200,
      headers: { "Content-Type": "text/event-stream" },
      stream: async (res) => {
        for (let i = 0; i < 3; i++) res.write(`data: ${i}\n\n`);
        res.end();
      },
    }),
  },
];

describe("a server extension", () => {
  it("adds public, scoped and streamed routes, and hears each stored run node", async () => {
    const updates: string[] = [];
    const extension: ServerExtension = { routes, onRunUpdate: (runId, node) => updates.push(`${runId}:${node.status}`) };
    const s = await startTestServer({ extension });
    servers.push(s);

    const page = await callServer(s, "GET", "", { token: null });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toBe("<h1>hi</h1>");

    expect(await (await callServer(s, "GET", "api/v1/whoami", { token: null })).json()).toEqual({ sub: "", mode: "anonymous" });
    expect(await (await callServer(s, "GET", "api/v1/whoami", { token: "wrong" })).json()).toEqual({ sub: "", mode: "anonymous" });
    expect(await (await callServer(s, "GET", "api/v1/whoami")).json()).toEqual({ sub: "token", mode: "static" });

    expect((await callServer(s, "DELETE", "api/v1/things/a1", { token: null })).status).toBe(401);
    expect(await (await callServer(s, "DELETE", "api/v1/things/a1")).json()).toEqual({ deleted: "a1" });
    // Unknown paths still ask for a credential first.
    expect((await callServer(s, "GET", "api/v1/nothing", { token: null })).status).toBe(401);
    expect((await callServer(s, "GET", "api/v1/nothing")).status).toBe(404);

    const ticks = await callServer(s, "GET", "api/v1/ticks", { token: null });
    expect(ticks.headers.get("content-type")).toBe("text/event-stream");
    expect(await ticks.text()).toBe("data: 0\n\ndata: 1\n\ndata: 2\n\n");

    const node = (await (await callServer(s, "PUT", "simulation/run/update/sim1", { json: {} })).json()) as { id: string };
    const put = await callServer(s, "PUT", `simulation/run/update/sim1/${node.id}`, { json: { node: { ...node, status: "running" } } });
    expect(put.status).toBe(200);
    expect(updates).toEqual([`${node.id}:running`]);
    await s.server.store.writeRunData("p9", "sim9", { hello: 1 });
    expect(await (await callServer(s, "GET", "simulation/run_data/read/p9/sim9")).json()).toEqual({ hello: 1 });
    expect((await s.server.store.node(node.id))?.status).toBe("running");
  });
});
