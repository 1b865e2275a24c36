import { randomBytes } from "node:crypto";
import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { FileRangeBody } from "../../src/fs/file-range-body.js";

const MiB = 1024 * 1024;
const dir = await mkdtemp(join(tmpdir(), "pw-range-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * A sink that keeps each write's callback back for a while and copies the bytes only when it
 * calls it, as a socket that has its own queue does: a body that read into a buffer before
 * the callback came would corrupt what was "sent".
 */
class SlowSink extends Writable {
  readonly parts: Buffer[] = [];
  readonly buffers = new Set<ArrayBufferLike>();
  constructor() {
    super({ highWaterMark: 1 });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.buffers.add(chunk.buffer);
    setTimeout(() => {
      this.parts.push(Buffer.from(chunk));
      done();
    }, 2);
  }
}

describe("FileRangeBody", () => {
  it("writes exactly the range, reading into at most four buffers again and again", async () => {
    const bytes = randomBytes(9 * MiB + 12345);
    const file = join(dir, "whole.bin");
    await writeFile(file, bytes);
    for (const [start, end] of [
      [0, bytes.length],
      [MiB + 3, bytes.length],
      [5, MiB - 5],
    ] as const) {
      const sink = new SlowSink();
      await new FileRangeBody(file, start, end).writeTo(sink);
      await new Promise<void>((resolve) => sink.end(resolve));
      expect(Buffer.concat(sink.parts).equals(bytes.subarray(start, end)), `bytes ${start}–${end}`).toBe(true);
      // A read stream would have brought ten fresh buffers for 9 MiB.
      expect(sink.buffers.size).toBeLessThanOrEqual(4);
    }
  });

  it("is the body of a real HTTP request, byte for byte", async () => {
    const bytes = randomBytes(3 * MiB + 1);
    const file = join(dir, "http.bin");
    await writeFile(file, bytes);
    const server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (part: Buffer) => parts.push(part));
      req.on("end", () => res.end(Buffer.concat(parts)));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const echoed = await new Promise<Buffer>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, method: "PUT", headers: { "content-length": String(bytes.length - 1) } }, (res) => {
          const parts: Buffer[] = [];
          res.on("data", (part: Buffer) => parts.push(part));
          res.on("end", () => resolve(Buffer.concat(parts)));
        });
        req.on("error", reject);
        new FileRangeBody(file, 1, bytes.length).writeTo(req).then(() => req.end(), reject);
      });
      expect(echoed.equals(bytes.subarray(1))).toBe(true);
    } finally {
      server.close();
    }
  });

  it("fails, naming the file, when the file is shorter than the range (it changed under the upload)", async () => {
    const file = join(dir, "shrunk.bin");
    await writeFile(file, randomBytes(2 * MiB));
    await truncate(file, MiB + 10);
    const sink = new SlowSink();
    await expect(new FileRangeBody(file, 0, 2 * MiB).writeTo(sink)).rejects.toThrow(`${file} ended at ${MiB + 10} bytes`);
  });

  it("stops when its request closes first, without reading the rest", async () => {
    const file = join(dir, "closed.bin");
    await writeFile(file, randomBytes(64 * MiB));
    // A sink that never calls back: after four pieces the body waits for a buffer until the close.
    const stuck = new Writable({ highWaterMark: 1, write: () => undefined });
    let written = 0;
    const origWrite = stuck.write.bind(stuck);
    stuck.write = ((chunk: Buffer, callback?: (error?: Error | null) => void) => {
      written += chunk.length;
      return origWrite(chunk, callback);
    }) as typeof stuck.write;
    const writing = new FileRangeBody(file, 0, 64 * MiB).writeTo(stuck);
    // Four pieces go out, then the body waits for a buffer back; however slow the machine.
    for (let waited = 0; written < 4 * MiB && waited < 10_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(written).toBe(4 * MiB);
    stuck.destroy();
    await writing;
    expect(written).toBe(4 * MiB);
  });
});
