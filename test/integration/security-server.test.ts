/**
 * The server's edges, driven from its own route table so that a route added later is covered too:
 * auth on every route, every field that becomes a path (URL params and body fields, metadata.path
 * included), bodies and chunks over the limits. After all of it, DATA's parent holds nothing new.
 */
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allRoutes } from "../../src/server/routes/all-routes.js";
import { resolveOptions } from "../../src/server/server-options.js";
import { callServer, startTestServer, uploadMetadata, type TestServer } from "../helpers/server.js";

let outer: string;
let t: TestServer;
const MAX_CHUNK = 4096;
const MAX_BODY = 64 * 1024;
beforeAll(async () => {
  outer = await mkdtemp(path.join(tmpdir(), "pw-sec-"));
  const dataDir = path.join(outer, "data");
  await mkdir(dataDir);
  t = await startTestServer({ dataDir, maxChunkBytes: MAX_CHUNK, maxBodyBytes: MAX_BODY });
});
afterAll(async () => {
  const left = await readdir(outer);
  await t.cleanup();
  await rm(outer, { recursive: true, force: true });
  expect(left, "nothing written beside DATA").toEqual(["data"]);
});

const ROUTES = allRoutes(resolveOptions({ dataDir: "/unused", token: "x" })).map((r) => ({ method: r.method, path: r.path }));
const fill = (p: string, value = "x1") => p.replace(/:[A-Za-z]+/g, value);

/** A request with the path exactly as given (fetch folds `..` away) and the headers given. */
function raw(method: string, rawPath: string, headers: Record<string, string>, body?: string | Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(t.url), { method, path: rawPath, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("auth on every route", () => {
  it(`refuses all ${ROUTES.length} routes without a token, with a wrong one and with a malformed header, with 401`, async () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(15);
    for (const r of ROUTES) {
      const p = `/${fill(r.path)}`;
      const body = r.method === "GET" || r.method === "HEAD" ? undefined : "{}";
      const variants: Record<string, string>[] = [{}, { "auth-token": "wrong" }, { "auth-token": "" }, { authorization: "Bearer wrong" }, { authorization: `Basic ${t.token}` }];
      for (const headers of variants) {
        const status = await raw(r.method, p, { "content-type": "application/json", ...headers }, body);
        expect(status, `${r.method} ${r.path} with ${JSON.stringify(Object.keys(headers))}`).toBe(401);
      }
    }
  });
});

const HOSTILE = ["..", "../outside", "..\\outside", "/etc/passwd", "a/../../b", "a\u0000b", "x".repeat(300), "", "."];

describe("every field that becomes a path", () => {
  it("URL parameters of every route refuse hostile values with 400", async () => {
    const encoded = (v: string) => encodeURIComponent(v).replace(/\./g, "%2E");
    for (const r of ROUTES.filter((x) => x.path.includes(":"))) {
      for (const value of HOSTILE) {
        const body = r.method === "GET" || r.method === "HEAD" ? undefined : "{}";
        const status = await raw(r.method, `/${fill(r.path, encoded(value))}`, { "auth-token": t.token, "content-type": "application/json" }, body);
        expect(status, `${r.method} ${r.path} with ${JSON.stringify(value.slice(0, 12))}`).toBe(400);
      }
    }
  });

  const bodies: [string, string, (m: Record<string, unknown>, filename: string) => unknown][] = [
    ["POST", "storage/append", (metadata, filename) => ({ form: { filename, chunk: "aGk=", isNew: true, metadata, isAscii: true } })],
    ["POST", "storage/chunks", (metadata, filename) => ({ form: { filename, fileSize: 2, chunkIndex: 0, chunk: "aGk=", metadata } })],
    ["POST", "storage/uploads", (metadata, filename) => ({ json: { filename, size: 2, sha256: "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4", metadata } })],
  ];
  for (const [method, route, make] of bodies) {
    it(`${method} ${route}: filename, metadata.runId, metadata.resource and metadata.path refuse hostile values`, async () => {
      const send = (metadata: Record<string, unknown>, filename: string) => callServer(t, method, route, make(metadata, filename) as object);
      for (const value of HOSTILE) {
        const label = JSON.stringify(value.slice(0, 12));
        expect((await send(uploadMetadata("r1", "a.txt"), value)).status, `filename ${label}`).toBe(400);
        expect((await send(uploadMetadata(value, "a.txt"), "a.txt")).status, `runId ${label}`).toBe(400);
        const { runId: _drop, ...python } = uploadMetadata("r1", "a.txt");
        expect((await send({ ...python, resource: value }, "a.txt")).status, `resource ${label}`).toBe(400);
      }
      // metadata.path names the output relative to outputs/: one that leaves it is refused.
      for (const value of ["../outside.txt", "/etc/passwd", "a/../../b.txt", "a\u0000b", "..\\x"]) {
        expect((await send(uploadMetadata("r1", "a.txt", { path: value }), "a.txt")).status, `metadata.path ${JSON.stringify(value)}`).toBe(400);
      }
    });
  }
});

describe("limits", () => {
  it("refuses bodies over maxBodyBytes (JSON, form, declared or streamed) with 413", async () => {
    const big = "x".repeat(MAX_BODY + 10);
    expect((await callServer(t, "PUT", "simulation/run/update/s1", { json: { pad: big } })).status).toBe(413);
    expect((await callServer(t, "POST", "storage/append", { form: { pad: big } })).status).toBe(413);
    expect((await callServer(t, "POST", "storage/chunks", { form: { pad: big }, encoding: "multipart" })).status).toBe(413);
    const streamed = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(`{"pad":"${big}"}`));
        c.close();
      },
    });
    const answer = await fetch(new URL("simulation/run/update/s1", t.url), {
      method: "PUT",
      headers: { "auth-token": t.token, "content-type": "application/json" },
      body: streamed,
      duplex: "half",
    } as RequestInit);
    expect(answer.status).toBe(413);
  });

  it("refuses chunks and appends over maxChunkBytes with 413, and a v2 PATCH past the declared size", async () => {
    const chunk = Buffer.alloc(MAX_CHUNK + 1, 1).toString("base64");
    const metadata = uploadMetadata("r1", "big.bin");
    expect((await callServer(t, "POST", "storage/chunks", { form: { filename: "big.bin", fileSize: MAX_CHUNK + 1, chunkIndex: 0, chunk, metadata } })).status).toBe(413);
    expect((await callServer(t, "POST", "storage/append", { form: { filename: "big.log", chunk, isNew: true, metadata, isAscii: false } })).status).toBe(413);
    const open = await callServer(t, "POST", "storage/uploads", { json: { filename: "v2.bin", size: 4, sha256: "0".repeat(64), metadata } });
    expect(open.status).toBe(200);
    const { uploadId } = (await open.json()) as { uploadId: string };
    const patch = await callServer(t, "PATCH", `storage/uploads/${uploadId}`, {
      body: Buffer.alloc(100, 2),
      headers: { "content-type": "application/octet-stream", "upload-offset": "0" },
    });
    expect([400, 409, 413]).toContain(patch.status);
    const head = await callServer(t, "HEAD", `storage/uploads/${uploadId}`);
    expect(Number(head.headers.get("upload-offset"))).toBeLessThanOrEqual(4);
  });
});
