import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlatformCallError } from "../../src/platform/index.js";
import { useStubClients } from "../helpers/stub-client.js";

const SIZE = 20 * 1000 * 1000;
let file: Buffer;
let dir: string;

beforeAll(async () => {
  file = randomBytes(SIZE);
  dir = await mkdtemp(path.join(tmpdir(), "pw-download-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const { serve } = useStubClients();

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("downloadFile", () => {
  it("streams a 20 MB body to disk, byte-identical, reporting progress", async () => {
    const { stub, client } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": SIZE });
      res.end(file);
    });
    const dest = path.join(dir, "one", "raw", "m1.msh");
    const seen: [number, number | undefined][] = [];
    const { bytes } = await client.downloadFile("file 1", dest, { onProgress: (b, t) => seen.push([b, t]) });
    expect(bytes).toBe(SIZE);
    expect(sha(await readFile(dest))).toBe(sha(file));
    expect(stub.requests[0]?.url).toBe("/storage/runner/file%201");
    expect(seen.at(-1)).toEqual([SIZE, SIZE]);
    expect(await readdir(path.dirname(dest))).toEqual(["m1.msh"]);
  });

  it("a download cut off halfway is retried, completes, and leaves no partial file", async () => {
    const { stub, client, delays } = await serve((req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": SIZE });
      if (req.index === 0) {
        res.write(file.subarray(0, SIZE / 2), () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      }
      res.end(file);
    });
    const dest = path.join(dir, "two", "m2.msh");
    const { bytes } = await client.downloadFile("f2", dest);
    expect(bytes).toBe(SIZE);
    expect(stub.requests).toHaveLength(2);
    expect(delays).toHaveLength(1);
    expect(sha(await readFile(dest))).toBe(sha(file));
    expect(await readdir(path.dirname(dest))).toEqual(["m2.msh"]);
  });

  it("a download that keeps being cut off fails clearly, leaving nothing behind", async () => {
    const { client } = await serve(
      (_req, res) => {
        res.writeHead(200, { "content-length": 1000 });
        res.write(Buffer.alloc(100), () => res.socket?.destroy());
      },
      { retry: { tries: 2 } },
    );
    const dest = path.join(dir, "three", "m3.msh");
    const error = await client.downloadFile("f3", dest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformCallError);
    expect((error as Error).message).toMatch(/^download file \(GET storage\/runner\/f3\): the connection was dropped .*\(gave up after 2 tries\)$/);
    expect(await readdir(path.dirname(dest))).toEqual([]);
  });

  it("a download that stalls is cut by the response timeout and retried", async () => {
    const { stub, client } = await serve(
      (req, res) => {
        res.writeHead(200, { "content-length": 10 });
        if (req.index === 0) return void res.write(Buffer.alloc(5)); // then silence
        res.end(Buffer.alloc(10, 1));
      },
      { responseTimeoutMs: 150 },
    );
    const dest = path.join(dir, "four", "m4.bin");
    expect(await client.downloadFile("f4", dest)).toEqual({ bytes: 10 });
    expect(stub.requests).toHaveLength(2);
    expect(await readFile(dest)).toEqual(Buffer.alloc(10, 1));
  });

  it("a 404 is not retried and says so", async () => {
    const { stub, client } = await serve((_req, res) => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "file not found" }));
    });
    const dest = path.join(dir, "five", "m5.bin");
    await expect(client.downloadFile("f5", dest)).rejects.toThrow(
      "download file (GET storage/runner/f5): the platform answered 404 Not Found: file not found",
    );
    expect(stub.requests).toHaveLength(1);
    await expect(stat(dest)).rejects.toThrow(/ENOENT/);
  });
});
