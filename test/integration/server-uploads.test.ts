import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { request } from "node:http";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { callServer, startTestServer, uploadMetadata, type TestServer } from "../helpers/server.js";

let t: TestServer;
afterEach(async () => {
  await t.cleanup();
});

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

async function open(bytes: Buffer, filename = "result.zip", digest = sha(bytes)) {
  const res = await callServer(t, "POST", "storage/uploads", {
    json: { filename, size: bytes.length, sha256: digest, metadata: uploadMetadata("r1", "result.zip", { path: "result.zip" }) },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { uploadId: string; offset: number };
}

/** A PATCH whose body goes in `pieces` with no Content-Length (chunked), each written as it comes. */
function patchChunked(uploadId: string, offset: number, pieces: Buffer[]): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(`storage/uploads/${uploadId}`, t.url), {
      method: "PATCH",
      headers: { "auth-token": t.token, "content-type": "application/octet-stream", "upload-offset": String(offset) },
    });
    req.on("response", (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on("error", reject);
    for (const piece of pieces) req.write(piece);
    req.end();
  });
}

function patch(uploadId: string, offset: number, bytes: Buffer) {
  return callServer(t, "PATCH", `storage/uploads/${uploadId}`, {
    body: bytes,
    headers: { "content-type": "application/octet-stream", "upload-offset": String(offset) },
  });
}

describe("capabilities", () => {
  it("offers v2 and socket.io by default, drops what is off", async () => {
    t = await startTestServer();
    expect(await (await callServer(t, "GET", "runner/capabilities")).json()).toEqual({ uploads: ["v1", "v2"], events: ["socket.io"] });
    await t.cleanup();
    t = await startTestServer({ socketIo: false });
    expect(await (await callServer(t, "GET", "runner/capabilities")).json()).toEqual({ uploads: ["v1", "v2"], events: [] });
  });

  it("is a v1-only server without v2: capabilities and uploads are 404, socket.io or not", async () => {
    t = await startTestServer({ v2: false, socketIo: true });
    expect((await callServer(t, "GET", "runner/capabilities")).status).toBe(404);
    expect((await callServer(t, "POST", "storage/uploads", { json: {} })).status).toBe(404);
  });
});

describe("v2 uploads", () => {
  it("opens, sends in parts, answers HEAD, refuses a wrong offset, completes twice alike", async () => {
    t = await startTestServer();
    const bytes = randomBytes(300_000);
    const { uploadId, offset } = await open(bytes);
    expect(offset).toBe(0);

    const first = await patch(uploadId, 0, bytes.subarray(0, 100_000));
    expect(await first.json()).toEqual({ offset: 100_000 });

    const wrong = await patch(uploadId, 50_000, bytes.subarray(50_000));
    expect(wrong.status).toBe(409);
    expect(await wrong.json()).toMatchObject({ offset: 100_000 });

    const head = await callServer(t, "HEAD", `storage/uploads/${uploadId}`);
    expect(head.status).toBe(200);
    expect(head.headers.get("upload-offset")).toBe("100000");

    // Opening the same file again finds the same upload and where it stands.
    expect(await open(bytes)).toEqual({ uploadId, offset: 100_000 });

    const early = await callServer(t, "POST", `storage/uploads/${uploadId}/complete`);
    expect(early.status).toBe(409);

    expect(await (await patch(uploadId, 100_000, bytes.subarray(100_000))).json()).toEqual({ offset: 300_000 });
    const done = await callServer(t, "POST", `storage/uploads/${uploadId}/complete`);
    expect(await done.json()).toEqual({ sha256: sha(bytes), size: bytes.length });
    const again = await callServer(t, "POST", `storage/uploads/${uploadId}/complete`);
    expect(await again.json()).toEqual({ sha256: sha(bytes), size: bytes.length });

    expect((await readFile(path.join(t.dataDir, "runs", "r1", "files", "result.zip"))).equals(bytes)).toBe(true);
    const detail = (await (await callServer(t, "GET", "runs/r1")).json()) as { files: unknown[] };
    expect(detail.files).toEqual([{ filename: "result.zip", path: "result.zip", originalname: "result.zip", size: 300_000, sha256: sha(bytes) }]);
  });

  it("answers 422 when the bytes do not match the digest, and starts the upload over", async () => {
    t = await startTestServer();
    const bytes = Buffer.from("the real bytes");
    const { uploadId } = await open(bytes, "x.bin", sha(Buffer.from("other bytes")));
    await patch(uploadId, 0, bytes);
    const res = await callServer(t, "POST", `storage/uploads/${uploadId}/complete`);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ sha256: sha(bytes), offset: 0 });
    expect((await callServer(t, "HEAD", `storage/uploads/${uploadId}`)).headers.get("upload-offset")).toBe("0");
  });

  // Below 4 MiB the digest is computed in the request's thread, above on the server's digest thread.
  it.each([3 * 1024 * 1024 + 17, 9 * 1024 * 1024 + 17])("checks the digest it computed while receiving, across a refused body and across a server restart (%i bytes)", async (size) => {
    const log: string[] = [];
    const readBack = () => log.filter((l) => l.includes("reading its")).length;
    t = await startTestServer({ log: (line) => log.push(line) });
    const bytes = randomBytes(size);
    const a = await open(bytes, "a.bin");
    expect((await patch(a.uploadId, 0, bytes.subarray(0, 1_000_000))).status).toBe(200);
    expect((await patch(a.uploadId, 1_000_000, Buffer.concat([bytes.subarray(1_000_000), Buffer.from("too much")]))).status).toBe(413);
    // A body without a length that runs past the declared size: its bytes are written, then cut back.
    expect((await patchChunked(a.uploadId, 1_000_000, [bytes.subarray(1_000_000, 3_000_000), bytes.subarray(3_000_000), Buffer.from("too much")])).status).toBe(413);
    expect((await patch(a.uploadId, 1_000_000, bytes.subarray(1_000_000))).status).toBe(200);
    const done = await callServer(t, "POST", `storage/uploads/${a.uploadId}/complete`);
    expect(await done.json()).toEqual({ sha256: sha(bytes), size: bytes.length });
    // The digest was the one taken while the bytes arrived: the file was not read back.
    expect(readBack()).toBe(0);

    // A digest that the new server never saw the start of is computed from the disk instead.
    const b = await open(bytes, "b.bin");
    await patch(b.uploadId, 0, bytes.subarray(0, 2_000_000));
    const dataDir = t.dataDir;
    await t.server.close();
    t = await startTestServer({ dataDir, log: (line) => log.push(line) });
    await patch(b.uploadId, 2_000_000, bytes.subarray(2_000_000));
    expect(await (await callServer(t, "POST", `storage/uploads/${b.uploadId}/complete`)).json()).toEqual({ sha256: sha(bytes), size: bytes.length });
    expect(readBack()).toBe(1);

    // A wrong digest is still caught when it was computed while receiving.
    const c = await open(bytes, "c.bin", sha(Buffer.from("something else")));
    await patch(c.uploadId, 0, bytes);
    expect((await callServer(t, "POST", `storage/uploads/${c.uploadId}/complete`)).status).toBe(422);
  });

  it("refuses bytes past the declared size with 413 and keeps the offset", async () => {
    t = await startTestServer();
    const bytes = Buffer.from("0123456789");
    const { uploadId } = await open(bytes);
    await patch(uploadId, 0, bytes.subarray(0, 4));
    const res = await patch(uploadId, 4, Buffer.from("456789 and more"));
    expect(res.status).toBe(413);
    expect((await callServer(t, "HEAD", `storage/uploads/${uploadId}`)).headers.get("upload-offset")).toBe("4");
  });

  it("completes an empty upload without any PATCH; 404 for an unknown upload; 400 for a bad header or digest", async () => {
    t = await startTestServer();
    const { uploadId } = await open(Buffer.alloc(0), "empty.bin");
    expect(await (await callServer(t, "POST", `storage/uploads/${uploadId}/complete`)).json()).toEqual({ sha256: sha(Buffer.alloc(0)), size: 0 });
    expect((await callServer(t, "HEAD", "storage/uploads/0123456789abcdef0123456789abcdef")).status).toBe(404);
    expect((await patch("0123456789abcdef0123456789abcdef", 0, Buffer.from("x"))).status).toBe(404);
    const noOffset = await callServer(t, "PATCH", `storage/uploads/${uploadId}`, { body: "x", headers: { "content-type": "application/octet-stream" } });
    expect(noOffset.status).toBe(400);
    const badDigest = await callServer(t, "POST", "storage/uploads", {
      json: { filename: "a", size: 1, sha256: "xyz", metadata: uploadMetadata("r1", "a") },
    });
    expect(((await badDigest.json()) as { error: string }).error).toContain('"sha256"');
  });
});

describe("v2 uploads, interrupted", () => {
  it("keeps the bytes that arrived before the client went away, so the client resumes from HEAD", async () => {
    t = await startTestServer();
    const bytes = randomBytes(1024 * 1024);
    const { uploadId } = await open(bytes);
    const url = new URL(`storage/uploads/${uploadId}`, t.url);
    await new Promise<void>((resolve) => {
      const req = request(url, {
        method: "PATCH",
        headers: { "auth-token": t.token, "content-type": "application/octet-stream", "upload-offset": "0", "content-length": String(bytes.length) },
      });
      req.on("error", () => resolve());
      req.write(bytes.subarray(0, 256 * 1024), () => setTimeout(() => req.destroy(), 200));
      req.on("close", () => resolve());
    });
    let offset = 0;
    for (let i = 0; i < 50 && offset === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      offset = Number((await callServer(t, "HEAD", `storage/uploads/${uploadId}`)).headers.get("upload-offset"));
    }
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(256 * 1024);
    expect(await (await patch(uploadId, offset, bytes.subarray(offset))).json()).toEqual({ offset: bytes.length });
    expect(await (await callServer(t, "POST", `storage/uploads/${uploadId}/complete`)).json()).toEqual({ sha256: sha(bytes), size: bytes.length });
  });
});
