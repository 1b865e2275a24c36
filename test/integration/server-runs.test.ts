import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { callServer, seedFile, seedRunData, startTestServer, type TestServer } from "../helpers/server.js";

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.cleanup();
});

const runData = {
  simulation: { tree: { a: 1 }, meshes: [{ id: "m1", rawMeshFile: "f1.msh" }] },
  materials: [],
  inputs: { x: 1 },
  physicsFeature: { config: {}, inputs: null, scripts: "zip1" },
};

async function createRun(simulation = "s1") {
  const res = await callServer(t, "PUT", `simulation/run/update/${simulation}`, { json: {} });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; name: string; status: string; children: { slug: string }[] };
}

describe("run data and downloads", () => {
  it("answers seeded run data, 404 as JSON when missing", async () => {
    await seedRunData(t.dataDir, "p1", "s1", runData);
    const res = await callServer(t, "GET", "simulation/run_data/read/p1/s1");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(runData);
    const missing = await callServer(t, "GET", "simulation/run_data/read/p1/nope");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: expect.stringContaining("nope") });
  });

  it("streams a seeded file byte for byte, 404 when missing", async () => {
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    await seedFile(t.dataDir, "f1.msh", bytes);
    const res = await callServer(t, "GET", "storage/runner/f1.msh");
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await callServer(t, "GET", "storage/runner/other")).status).toBe(404);
  });
});

describe("run node", () => {
  it("creates numbered runs with the five children", async () => {
    const first = await createRun();
    const second = await createRun();
    expect(first).toMatchObject({ name: "Run 1", status: "pending" });
    expect(second.name).toBe("Run 2");
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.children.map((child) => child.slug)).toEqual(["logs", "plots", "media", "graphics", "downloadables"]);
    expect(first.children).toContainEqual({ slug: "logs", name: "Logs", children: [] });
    const stored = JSON.parse(await readFile(path.join(t.dataDir, "runs", first.id, "node.json"), "utf8"));
    expect(stored).toEqual(first);
  });

  it("stores the whole node on update and keeps the history", async () => {
    const node = await createRun();
    const running = { ...node, status: "running", progress: 40, statusLabel: "solver", extra: { kept: true } };
    expect((await callServer(t, "PUT", `simulation/run/update/s1/${node.id}`, { json: { node: running } })).status).toBe(200);
    const finished = { ...running, status: "finished", progress: 100, statusLabel: "done", actions: null };
    const res = await callServer(t, "PUT", `simulation/run/update/s1/${node.id}`, { json: { node: finished, extras: { gltf: "g1" } } });
    expect(res.status).toBe(200);

    const detail = (await (await callServer(t, "GET", `runs/${node.id}`)).json()) as Record<string, unknown>;
    expect(detail.node).toEqual(finished);
    expect(detail.updates).toEqual([
      { at: expect.any(String), status: "running", progress: 40, statusLabel: "solver", extras: null },
      { at: expect.any(String), status: "finished", progress: 100, statusLabel: "done", extras: { gltf: "g1" } },
    ]);
    const lines = (await readFile(path.join(t.dataDir, "runs", node.id, "updates.jsonl"), "utf8")).trim().split("\n");
    expect(lines).toHaveLength(2);
  });

  it("refuses an unknown run (404), another id or a non-object node (400), bad JSON (400 naming the call)", async () => {
    const node = await createRun();
    const unknown = await callServer(t, "PUT", "simulation/run/update/s1/no-such-run", { json: { node: { ...node, id: "no-such-run" } } });
    expect(unknown.status).toBe(404);
    expect((await callServer(t, "PUT", `simulation/run/update/s2/${node.id}`, { json: { node } })).status).toBe(404);
    const otherId = await callServer(t, "PUT", `simulation/run/update/s1/${node.id}`, { json: { node: { ...node, id: "x" } } });
    expect(otherId.status).toBe(400);
    expect(((await otherId.json()) as { error: string }).error).toContain('"node.id"');
    const notObject = await callServer(t, "PUT", `simulation/run/update/s1/${node.id}`, { json: { node: [1] } });
    expect(notObject.status).toBe(400);
    const badJson = await callServer(t, "PUT", `simulation/run/update/s1/${node.id}`, {
      body: "{node:",
      headers: { "content-type": "application/json" },
    });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: string }).error).toMatch(/^update run: .*not valid JSON/);
  });
});

describe("results", () => {
  it("stores typed results, merging by name", async () => {
    const { id } = await createRun();
    const first = [
      { name: "maxT", type: "scalar", value: 351.2 },
      { name: "converged", type: "boolean", value: true },
      { name: "note", type: "ascii", value: "ok, fine" },
    ];
    expect((await callServer(t, "PUT", `simulation/run/patch/${id}`, { json: { results: first } })).status).toBe(200);
    await callServer(t, "PUT", `simulation/run/patch/${id}`, { json: { results: [{ name: "maxT", type: "scalar", value: 360 }] } });
    const stored = JSON.parse(await readFile(path.join(t.dataDir, "runs", id, "results.json"), "utf8"));
    expect(stored).toEqual([{ name: "maxT", type: "scalar", value: 360 }, first[1], first[2]]);
  });

  it("refuses a bad type or a value that does not fit it, naming the field", async () => {
    const { id } = await createRun();
    const badType = await callServer(t, "PUT", `simulation/run/patch/${id}`, { json: { results: [{ name: "a", type: "vector", value: 1 }] } });
    expect(badType.status).toBe(400);
    expect(((await badType.json()) as { error: string }).error).toContain('"results[0].type"');
    const badValue = await callServer(t, "PUT", `simulation/run/patch/${id}`, { json: { results: [{ name: "a", type: "scalar", value: "abc" }] } });
    expect(((await badValue.json()) as { error: string }).error).toContain('"results[0].value"');
    expect((await callServer(t, "PUT", "simulation/run/patch/nope", { json: { results: [] } })).status).toBe(404);
  });
});

describe("runs listing", () => {
  it("lists runs with status, update and file counts", async () => {
    const a = await createRun();
    const b = await createRun("s2");
    await callServer(t, "PUT", `simulation/run/update/s1/${a.id}`, { json: { node: { ...a, status: "running", progress: 5, statusLabel: "go" } } });
    const list = (await (await callServer(t, "GET", "runs")).json()) as Record<string, unknown>[];
    expect(list).toEqual([
      expect.objectContaining({ id: a.id, name: "Run 1", status: "running", progress: 5, statusLabel: "go", updates: 1, files: 0 }),
      expect.objectContaining({ id: b.id, name: "Run 1", simulation: "s2", status: "pending", updates: 0, files: 0 }),
    ]);
    expect((await callServer(t, "GET", "runs/unknown")).status).toBe(404);
  });

  it("answers health without auth, and an unknown route with a JSON 404", async () => {
    const health = await callServer(t, "GET", "health", { token: null });
    expect(await health.json()).toEqual({ ok: true });
    const unknown = await callServer(t, "GET", "nothing/here");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/json");
    expect((await callServer(t, "DELETE", "storage/append")).status).toBe(405);
  });
});
