import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callServer, seedFile, startTestServer, uploadMetadata, type TestServer } from "../helpers/server.js";

/** DATA is a folder inside `outer`: after the attacks, `outer` must hold nothing but DATA. */
let outer: string;
let t: TestServer;
beforeAll(async () => {
  outer = await mkdtemp(path.join(tmpdir(), "pw-paths-"));
  const dataDir = path.join(outer, "data");
  await mkdir(dataDir);
  t = await startTestServer({ dataDir });
  await seedFile(t.dataDir, "ok", "fine");
});
afterAll(async () => {
  await t.cleanup();
  await rm(outer, { recursive: true, force: true });
});

/** Values that must never become a path segment, as they are (for body fields) and percent-encoded (for URLs). */
const HOSTILE = ["..", "../outside", "..\\outside", "/etc/passwd", "a\u0000b", "x".repeat(300), "", "."];
const encoded = (value: string) => encodeURIComponent(value).replace(/\./g, "%2E");

/** A request with the path exactly as given: fetch would fold `..` away before sending. */
function raw(method: string, rawPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(t.url), { method, path: rawPath, headers: { "auth-token": t.token, "content-type": "application/json" } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(method === "GET" || method === "HEAD" ? undefined : "{}");
  });
}

describe("path fields in the URL", () => {
  const routes: [string, (value: string) => string][] = [
    ["GET", (v) => `simulation/run_data/read/${v}/s1`],
    ["GET", (v) => `simulation/run_data/read/p1/${v}`],
    ["GET", (v) => `storage/runner/${v}`],
    ["PUT", (v) => `simulation/run/update/${v}`],
    ["PUT", (v) => `simulation/run/update/s1/${v}`],
    ["PUT", (v) => `simulation/run/update/${v}/r1`],
    ["PUT", (v) => `simulation/run/patch/${v}`],
    ["PATCH", (v) => `storage/uploads/${v}`],
    ["HEAD", (v) => `storage/uploads/${v}`],
    ["POST", (v) => `storage/uploads/${v}/complete`],
    ["GET", (v) => `runs/${v}`],
    ["POST", (v) => `runs/${v}/abort`],
  ];
  for (const [method, route] of routes) {
    it(`${method} ${route(":field")} refuses every hostile value with 400`, async () => {
      for (const value of HOSTILE) {
        expect(await raw(method, `/${route(encoded(value))}`), JSON.stringify(value.slice(0, 20))).toBe(400);
      }
      // And unencoded, as a raw `..` segment.
      expect(await raw(method, `/${route("..")}`)).toBe(400);
    });
  }

  it("names the field", async () => {
    const res = await callServer(t, "GET", `storage/runner/${encoded("../x")}`);
    expect(await res.json()).toEqual({ error: expect.stringContaining('"fileId"') });
  });
});

describe("path fields in bodies", () => {
  const append = (filename: unknown, metadata: Record<string, unknown>) =>
    callServer(t, "POST", "storage/append", { form: { filename, chunk: "aGk=", isNew: true, isAscii: true, metadata } });
  const chunk = (filename: unknown, metadata: Record<string, unknown>) =>
    callServer(t, "POST", "storage/chunks", { form: { filename, fileSize: 2, chunkIndex: 0, chunk: "aGk=", metadata } });
  const open = (filename: unknown, metadata: Record<string, unknown>) =>
    callServer(t, "POST", "storage/uploads", { json: { filename, size: 2, sha256: "a".repeat(64), metadata } });

  for (const [name, send] of [["append", append], ["chunks", chunk], ["v2 open", open]] as const) {
    it(`${name}: filename, metadata.runId and metadata.resource are checked`, async () => {
      for (const value of HOSTILE) {
        const label = JSON.stringify(value.slice(0, 20));
        const byName = await send(value, uploadMetadata("r1", "a"));
        expect(byName.status, `filename ${label}`).toBe(400);
        expect(((await byName.json()) as { error: string }).error).toContain('"filename"');
        const byRunId = await send("ok.txt", uploadMetadata(value, "a"));
        expect(byRunId.status, `runId ${label}`).toBe(400);
        const resourceOnly: Record<string, unknown> = { ...uploadMetadata("r1", "a"), resource: value };
        delete resourceOnly.runId;
        const byResource = await send("ok.txt", resourceOnly);
        expect(byResource.status, `resource ${label}`).toBe(400);
        expect(((await byResource.json()) as { error: string }).error).toContain('"metadata.resource"');
      }
    });
  }

  it("left nothing outside DATA", async () => {
    expect(await readdir(outer)).toEqual(["data"]);
    expect((await readdir(t.dataDir)).sort()).toEqual(["files", "requests.jsonl"]);
  });
});
