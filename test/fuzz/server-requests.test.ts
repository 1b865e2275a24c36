/**
 * The server's request parsing on random and mutated requests (methods, paths, headers, bodies in
 * every form it reads) against a real server: never a 5xx but an injected fault, never a crash
 * (it still answers afterwards), nothing written outside DATA (its parent folder is compared).
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, uploadMetadata, type TestServer } from "../helpers/server.js";
import { walk } from "../reliability/lib.js";

let outer: string;
let t: TestServer;
let serverErrors: string[] = [];
beforeAll(async () => {
  outer = await mkdtemp(path.join(tmpdir(), "pw-fuzz-server-"));
  const dataDir = path.join(outer, "data");
  await mkdir(dataDir);
  // A small share of faults, so the faulted path is fuzzed too; small limits, so they are reached.
  t = await startTestServer({ dataDir, faultRate: 0.05, retryAfterSeconds: 0, maxChunkBytes: 2048, maxBodyBytes: 16 * 1024, log: (l) => /server error/.test(l) && serverErrors.push(l) });
});
afterAll(async () => {
  await t.cleanup();
  await rm(outer, { recursive: true, force: true });
});

interface Raw {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

function send(r: Raw): Promise<{ status: number; fault: boolean }> {
  return new Promise((resolve) => {
    const req = request(new URL(t.url), { method: r.method, path: r.path, headers: r.headers }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, fault: /injected fault/.test(String(res.headers["content-type"])) || false }));
    });
    // A dropped connection (injected) or a request node refuses to send: not the server's crash.
    req.on("error", () => resolve({ status: -1, fault: true }));
    req.setTimeout(10_000, () => req.destroy());
    req.end(r.body);
  });
}

const ROUTE_PATHS = [
  "/health", "/runner/capabilities", "/simulation/run_data/read/p1/s1", "/storage/runner/f1", "/simulation/run/update/s1", "/simulation/run/update/s1/r1",
  "/simulation/run/patch/r1", "/storage/append", "/storage/chunks", "/storage/uploads", "/storage/uploads/u1", "/storage/uploads/u1/complete", "/runs", "/runs/r1", "/runs/r1/abort",
];
const segment = fc.oneof(fc.string({ maxLength: 12 }).map(encodeURIComponent), fc.constantFrom("..", ".", "%2e%2e", "%2F", "%00", "%ZZ", "a%", "~", "", "x".repeat(250)));
const pathArb = fc.oneof(
  fc.constantFrom(...ROUTE_PATHS),
  fc.tuple(fc.constantFrom(...ROUTE_PATHS), fc.nat(5), segment).map(([p, i, s]) => {
    const parts = p.split("/");
    parts[1 + (i % (parts.length - 1))] = s;
    return parts.join("/");
  }),
  fc.array(segment, { maxLength: 6 }).map((s) => `/${s.join("/")}`),
  fc.tuple(fc.constantFrom(...ROUTE_PATHS), fc.string({ maxLength: 10 }).map(encodeURIComponent)).map(([p, q]) => `${p}?${q}`),
);

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({
    filename: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("a.txt", "../x", "")),
    chunk: fc.oneof(fc.base64String({ maxLength: 40 }), fc.string({ maxLength: 20 }), fc.constant("A".repeat(4000))),
    isNew: fc.oneof(fc.boolean(), fc.string()),
    isAscii: fc.oneof(fc.boolean(), fc.integer()),
    fileSize: fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.double(), fc.string()),
    chunkIndex: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.string()),
    size: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.constant(1e300)),
    sha256: fc.oneof(fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 }), fc.string({ maxLength: 10 })),
    metadata: fc.oneof(fc.constant(uploadMetadata("r1", "a.txt")), fc.constant(uploadMetadata("r1", "a.txt", { path: "files/a.txt" })), fc.jsonValue({ maxDepth: 2 })),
    node: fc.jsonValue({ maxDepth: 3 }),
    results: fc.jsonValue({ maxDepth: 2 }),
  }, { requiredKeys: [] }),
);

const bodyArb: fc.Arbitrary<{ type?: string; body?: Buffer; extra?: Record<string, string> }> = fc.oneof(
  fc.constant({}),
  jsonish.map((v) => ({ type: "application/json", body: Buffer.from(JSON.stringify(v)) })),
  jsonish.map((v) => ({ type: "application/x-www-form-urlencoded", body: Buffer.from(new URLSearchParams({ json: JSON.stringify(v) }).toString()) })),
  fc.tuple(jsonish, fc.constantFrom("XyZ", "----b")).map(([v, b]) => ({
    type: `multipart/form-data; boundary=${b}`,
    body: Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="json"\r\n\r\n${JSON.stringify(v)}\r\n--${b}--\r\n`),
  })),
  fc.uint8Array({ maxLength: 300 }).map((b) => ({ type: "application/octet-stream", body: Buffer.from(b), extra: { "upload-offset": String(b.length % 3) } })),
  fc.tuple(fc.constantFrom("application/json", "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=", "text/plain", ""), fc.uint8Array({ maxLength: 300 })).map(([type, b]) => ({ type, body: Buffer.from(b) })),
);

const rawArb: fc.Arbitrary<Raw> = fc
  .tuple(
    fc.constantFrom("GET", "POST", "PUT", "PATCH", "HEAD", "DELETE", "OPTIONS"),
    pathArb,
    bodyArb,
    fc.constantFrom<"good" | "none" | "bad" | "bearer">("good", "good", "good", "none", "bad", "bearer"),
    fc.dictionary(fc.constantFrom("upload-offset", "content-length-x", "x-forwarded-for", "accept"), fc.string({ maxLength: 10 }).filter((s) => /^[\x20-\x7e]*$/.test(s)), { maxKeys: 2 }),
  )
  .map(([method, p, b, auth, headers]) => {
    const h: Record<string, string> = { ...headers, ...b.extra };
    if (b.type !== undefined) h["content-type"] = b.type;
    if (auth === "good") h["auth-token"] = t.token;
    if (auth === "bad") h["auth-token"] = "nope";
    if (auth === "bearer") h.authorization = `Bearer ${t.token}`;
    return { method, path: p, headers: h, ...(b.body && method !== "GET" && method !== "HEAD" ? { body: b.body } : {}) };
  });

describe("server request fuzz", () => {
  it("random and mutated requests: no 5xx but injected ones, no crash, nothing outside DATA", async () => {
    const before = (await walk(outer)).filter((p) => !p.startsWith("data/"));
    serverErrors = [];
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(rawArb, async (r) => {
        sent++;
        const { status } = await send(r);
        // 503 is the injected fault; any other 5xx is the server failing on its input.
        if (status >= 500 && status !== 503) throw new Error(`${r.method} ${r.path} ${JSON.stringify(r.headers)} ${r.body?.subarray(0, 200).toString()} → ${status}`);
      }),
      { numRuns: 1500 },
    );
    expect(serverErrors, "the server's log of unexpected errors").toEqual([]);
    const health = await fetch(new URL("health", t.url));
    expect(health.status).toBe(200);
    expect((await walk(outer)).filter((p) => !p.startsWith("data/"))).toEqual(before);
    console.log(`[fuzz] server: ${sent} random requests, no 5xx but injected faults, nothing outside DATA`);
  }, 60_000);
});
