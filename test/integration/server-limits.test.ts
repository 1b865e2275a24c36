import { readdir } from "node:fs/promises";
import { request } from "node:http";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { callServer, startTestServer, uploadMetadata, type TestServer } from "../helpers/server.js";

let t: TestServer;
afterEach(async () => {
  await t.cleanup();
});

const appendForm = (bytes: Buffer) => ({ filename: "a.log", chunk: bytes.toString("base64"), isNew: true, isAscii: false, metadata: uploadMetadata("r1", "a.log") });

async function runFiles(): Promise<string[]> {
  return readdir(path.join(t.dataDir, "runs", "r1", "files")).catch(() => []);
}

/** A body sent in pieces without Content-Length: the server can only find it too large as it reads. */
function chunkedPost(pathname: string, contentType: string, pieces: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(pathname, t.url), { method: "POST", headers: { "auth-token": t.token, "content-type": contentType } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    for (const piece of pieces) req.write(piece);
    req.end();
  });
}

describe("limits", () => {
  it("refuses a form body over maxBodyBytes with 413, urlencoded and multipart, declared or streamed", async () => {
    t = await startTestServer({ maxBodyBytes: 64 * 1024 });
    const big = Buffer.alloc(100 * 1024, 7);
    const urlencoded = await callServer(t, "POST", "storage/append", { form: appendForm(big) });
    expect(urlencoded.status).toBe(413);
    expect(await urlencoded.json()).toEqual({ error: expect.stringContaining("larger than 65536 bytes") });
    expect((await callServer(t, "POST", "storage/append", { form: appendForm(big), encoding: "multipart" })).status).toBe(413);
    const piece = Buffer.from(`json=${"a".repeat(16 * 1024)}`);
    expect(await chunkedPost("storage/append", "application/x-www-form-urlencoded", Array(8).fill(piece))).toBe(413);
    expect(await runFiles()).toEqual([]);
    // The server is still fine and a small body passes.
    expect((await callServer(t, "POST", "storage/append", { form: appendForm(Buffer.from("ok")) })).status).toBe(200);
  });

  it("refuses a JSON body over maxBodyBytes with 413", async () => {
    t = await startTestServer({ maxBodyBytes: 1024 });
    const run = (await (await callServer(t, "PUT", "simulation/run/update/s1", { json: {} })).json()) as { id: string };
    const res = await callServer(t, "PUT", `simulation/run/patch/${run.id}`, { json: { results: [{ name: "a", type: "ascii", value: "x".repeat(4000) }] } });
    expect(res.status).toBe(413);
  });

  it("refuses a decoded chunk or append over maxChunkBytes with 413", async () => {
    t = await startTestServer({ maxChunkBytes: 1024 });
    const append = await callServer(t, "POST", "storage/append", { form: appendForm(Buffer.alloc(2048)) });
    expect(append.status).toBe(413);
    expect(((await append.json()) as { error: string }).error).toContain('"chunk" decodes to 2048 bytes');
    const chunk = await callServer(t, "POST", "storage/chunks", {
      form: { filename: "c.bin", fileSize: 2048, chunkIndex: 0, chunk: Buffer.alloc(2048).toString("base64"), metadata: uploadMetadata("r1", "c") },
    });
    expect(chunk.status).toBe(413);
    expect(await runFiles()).toEqual([]);
  });

  it("by default takes a full 5 MiB chunk of the worst kind for url-encoding (every base64 character escaped)", async () => {
    t = await startTestServer();
    const worst = Buffer.alloc(5 * 1024 * 1024, 0xff);
    const res = await callServer(t, "POST", "storage/chunks", {
      form: { filename: "w.bin", fileSize: worst.length, chunkIndex: 0, chunk: worst.toString("base64"), metadata: uploadMetadata("r1", "w") },
    });
    expect(res.status).toBe(200);
    expect(await runFiles()).toEqual(["w.bin"]);
  });
});
