import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { UploadMetadata } from "../../src/platform/types.js";
import { uploadWholeFile } from "../../src/upload/whole-file.js";
import type { UploadTarget } from "../../src/upload/upload-target.js";

// The target is a stand-in for the platform so the test can choose the order in which chunks are
// acknowledged (the real server's order is up to the network); only uploadChunk is used by v1.
const metadata = { project: "p", owner: "o", originalname: "f.bin", resource: "j", resourceKind: "Run", simulation: "s" } as UploadMetadata;

interface Sent {
  index: number;
  bytes: Buffer;
  lent: Buffer;
  settled: boolean;
  settle: (error?: Error) => void;
}

/** Whether two buffers start at the same byte of the same memory (small ones share Node's pool). */
const sameMemory = (a: Buffer, b: Buffer) => a.buffer === b.buffer && a.byteOffset === b.byteOffset;

function chunkTarget(sent: Sent[], flight: { now: number; max: number }): UploadTarget {
  const unused = () => Promise.reject(new Error("not used by v1"));
  return {
    appendFile: unused,
    openUpload: unused,
    sendUploadBytes: unused,
    completeUpload: unused,
    retryDelay: () => 0,
    uploadChunk: ({ chunkIndex, bytes }) =>
      new Promise<void>((resolve, reject) => {
        // A buffer lent to a call that has not settled is never lent again.
        const unsettled = sent.filter((s) => !s.settled);
        if (unsettled.some((s) => sameMemory(s.lent, bytes))) throw new Error(`chunk ${chunkIndex}: its buffer is still lent to another call`);
        flight.now++;
        flight.max = Math.max(flight.max, flight.now);
        sent.push({
          index: chunkIndex,
          // Lent until the call settles (UploadTarget): kept as a copy, and the lent buffer for the test below.
          bytes: Buffer.from(bytes),
          lent: bytes,
          settled: false,
          settle(error) {
            this.settled = true;
            flight.now--;
            if (error) reject(error);
            else resolve();
          },
        });
      }),
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Waits until `ready()` holds: the uploader reads each chunk from disk first, and a loaded machine takes its time. */
async function until(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick();
  }
}

/** A file of `size` random bytes sent through v1 in `chunkSize` chunks to a chunkTarget; what the test watches. */
async function startUpload(size: number, chunkSize: number, startChunk?: number) {
  const data = randomBytes(size);
  const file = join(dir, "f.bin");
  await writeFile(file, data);
  const sent: Sent[] = [];
  const flight = { now: 0, max: 0 };
  const offsets: number[] = [];
  const done = uploadWholeFile(chunkTarget(sent, flight), file, {
    storedName: "f.bin",
    metadata,
    useV2: false,
    chunkSize,
    ...(startChunk !== undefined ? { startChunk } : {}),
    onOffset: (offset) => offsets.push(offset),
  });
  return { data, sent, flight, offsets, done };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "perf-v1-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("v1 chunks of one file in flight together", () => {
  it("sends up to 3 at once, every byte once, and reports only the offset below which all are acknowledged", async () => {
    const chunkSize = 1000;
    const { data, sent, flight, offsets, done } = await startUpload(7 * chunkSize + 123, chunkSize);
    // Acknowledge the newest chunk in flight first: out of order, always.
    let settled = 0;
    while (settled < 8) {
      await until(() => sent.length > settled, `chunk ${settled + 1} to be sent`);
      await tick();
      const open = sent.slice(settled);
      expect(open.length).toBeLessThanOrEqual(3);
      const last = sent.splice(sent.length - 1, 1)[0]!;
      sent.splice(settled, 0, last);
      last.settle();
      settled++;
      // The reported offset never passes a chunk that is not acknowledged yet.
      const acked = new Set(sent.slice(0, settled).map((s) => s.index));
      let below = 0;
      while (acked.has(below)) below++;
      expect(offsets.at(-1) ?? 0).toBeLessThanOrEqual(Math.min(data.length, below * chunkSize));
    }
    const result = await done;
    expect(flight.max).toBe(3);
    expect(result).toEqual({ size: data.length, sha256: createHash("sha256").update(data).digest("hex") });
    const byIndex = [...sent].sort((a, b) => a.index - b.index);
    expect(byIndex.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Buffer.concat(byIndex.map((s) => s.bytes)).equals(data)).toBe(true);
    // Later chunks were read into the buffers of settled ones (3 in flight: at most 4 buffers).
    const distinct = sent.filter((s, i) => sent.findIndex((t) => sameMemory(t.lent, s.lent)) === i);
    expect(distinct.length).toBeLessThanOrEqual(4);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(offsets.at(-1)).toBe(data.length);
  });

  it("a failed chunk fails the upload, after the others have settled, and the offset stays below it", async () => {
    const chunkSize = 100;
    const { sent, flight, offsets, done } = await startUpload(10 * chunkSize, chunkSize);
    const outcome = done.then(
      () => "resolved",
      (error: Error) => error.message,
    );
    await until(() => sent.length >= 3, "three chunks in flight");
    await tick();
    expect(sent.map((s) => s.index)).toEqual([0, 1, 2]);
    sent[0]!.settle();
    sent[1]!.settle(new Error("chunk 1 refused"));
    await until(() => flight.now <= 1, "the settled chunks to be seen");
    await tick();
    expect(flight.now).toBe(1); // chunk 2 still under way: the upload waits for it
    sent[2]!.settle();
    expect(await outcome).toBe("chunk 1 refused");
    expect(flight.now).toBe(0);
    expect(offsets).toEqual([chunkSize]);
    expect(sent.length).toBeLessThanOrEqual(4);
  });

  it("resumes from startChunk, hashing the chunks before it without sending them", async () => {
    const chunkSize = 100;
    const { data, sent, offsets, done } = await startUpload(5 * chunkSize, chunkSize, 3);
    await until(() => sent.length >= 2, "chunks 3 and 4 in flight");
    await tick();
    expect(sent.map((s) => s.index)).toEqual([3, 4]);
    sent[1]!.settle();
    await tick();
    expect(offsets).toEqual([]);
    sent[0]!.settle();
    const result = await done;
    expect(offsets).toEqual([data.length]);
    expect(result.sha256).toBe(createHash("sha256").update(data).digest("hex"));
  });
});
