import { randomBytes } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CHUNK_SIZE } from "../../src/platform/types.js";
import { callServer, startTestServer, uploadMetadata, type TestServer } from "../helpers/server.js";

/*
 * v1 chunks whose writes overlap (the server writes chunks of other indices side by side). A slow
 * disk cannot be had on demand here, so one chosen chunk's write is held until the test lets it go
 * (a gate on the bytes' first 8); everything else is the real server, over HTTP.
 */
interface Gate {
  reached: Promise<void>;
  open: () => void;
}
const gates = new Map<string, { reached: () => void; opened: Promise<void> }>();

/** Holds the next write of `bytes` until `open()`; `reached` settles when it is held. */
function gate(bytes: Buffer): Gate {
  let reached!: () => void;
  let open!: () => void;
  const reachedP = new Promise<void>((resolve) => (reached = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  gates.set(bytes.subarray(0, 8).toString("hex"), { reached, opened });
  return { reached: reachedP, open };
}

vi.mock("../../src/server/store/positional-file.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/server/store/positional-file.js")>();
  return {
    ...real,
    async writeFullyDirect(...args: Parameters<typeof real.writeFullyDirect>) {
      const key = args[2].subarray(0, 8).toString("hex");
      const held = gates.get(key);
      if (held) {
        gates.delete(key);
        held.reached();
        await held.opened;
      }
      return real.writeFullyDirect(...args);
    },
  };
});

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  gates.clear();
  await t.cleanup();
});

const stored = (filename: string) => path.join(t.dataDir, "runs", "r1", "files", filename);
const parts = () => path.join(t.dataDir, "runs", "r1", "parts");
const piece = (file: Buffer, i: number) => file.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function chunk(filename: string, file: Buffer, chunkIndex: number) {
  const form = { filename, fileSize: file.length, chunkIndex, chunk: piece(file, chunkIndex).toString("base64"), metadata: uploadMetadata("r1", "big.bin", { path: "files/big.bin" }) };
  return callServer(t, "POST", "storage/chunks", { form });
}

/** Sends `sends` one after the other, `gapMs` apart (so they reach the server in this order), without waiting for answers. */
async function sendInOrder(filename: string, sends: [Buffer, number][], gapMs = 300): Promise<Promise<Response>[]> {
  const answers: Promise<Response>[] = [];
  for (const [file, index] of sends) {
    await sleep(gapMs);
    answers.push(chunk(filename, file, index));
  }
  return answers;
}

describe("storage/chunks, writes that overlap", () => {
  it("a write the client gave up on lands before the later writes of its chunk: a new version of the file is stored whole", async () => {
    const a = randomBytes(2 * CHUNK_SIZE);
    const b = randomBytes(2 * CHUNK_SIZE);
    const held = gate(piece(a, 0));
    const stale = chunk("same-size.bin", a, 0);
    await held.reached;
    // The client's retry of A's chunk 0, the rest of A, then a new version B of the same size.
    const later = await sendInOrder("same-size.bin", [[a, 0], [a, 1], [b, 0], [b, 1]]);
    await sleep(1000);
    held.open();
    const statuses = await Promise.all([stale, ...later].map(async (res) => (await res).status));
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect((await readFile(stored("same-size.bin"))).equals(b)).toBe(true);
  });

  it("a write the client gave up on, whose upload was started over by another size meanwhile, never wipes the newer upload", async () => {
    const x = randomBytes(2 * CHUNK_SIZE);
    const y = randomBytes(2 * CHUNK_SIZE + 9);
    const held = gate(piece(x, 0));
    const stale = chunk("other-size.bin", x, 0);
    await held.reached;
    const first = await sendInOrder("other-size.bin", [[x, 0], [x, 1], [y, 0]]);
    await sleep(1000);
    held.open();
    await sleep(500);
    const rest = await sendInOrder("other-size.bin", [[y, 1], [y, 2]]);
    const answers = await Promise.all([stale, ...first, ...rest].map(async (res) => (await res).status));
    expect(answers).toEqual([200, 200, 200, 200, 200, 200]);
    expect((await readFile(stored("other-size.bin"))).equals(y)).toBe(true);
    // No part file of the abandoned upload left behind.
    expect(await readdir(parts())).toEqual(["other-size.bin.chunks.json"]);
  });

  it("a chunk written while its upload is started over answers as that upload stood, and is not stored into the new one", async () => {
    const x = randomBytes(2 * CHUNK_SIZE);
    const y = randomBytes(CHUNK_SIZE + 7);
    expect((await chunk("restart.bin", x, 1)).status).toBe(200);
    const held = gate(piece(x, 0));
    const stale = chunk("restart.bin", x, 0);
    await held.reached;
    // Y's chunk 1 starts the file over (chunk 0 of either waits for X's held write).
    expect(await (await chunk("restart.bin", y, 1)).json()).toMatchObject({ received: 1, complete: false });
    held.open();
    expect(await (await stale).json()).toMatchObject({ received: 2, count: 2, complete: false });
    expect(await (await chunk("restart.bin", y, 0)).json()).toMatchObject({ received: 2, count: 2, complete: true });
    expect((await readFile(stored("restart.bin"))).equals(y)).toBe(true);
  });
});

describe("storage/chunks, a crash in the middle of completing a file", () => {
  it("a record saved complete before its part file was renamed: the next chunk finishes the rename and the file's record", async () => {
    const x = randomBytes(2 * CHUNK_SIZE + 3);
    for (const i of [0, 1]) expect((await chunk("crash.bin", x, i)).status).toBe(200);
    // The state a crash right after the record leaves: complete, the part file not renamed yet.
    const recordFile = path.join(parts(), "crash.bin.chunks.json");
    const record = JSON.parse(await readFile(recordFile, "utf8")) as { received: Record<string, number>; complete: boolean };
    record.received["2"] = 3;
    record.complete = true;
    await writeFile(recordFile, JSON.stringify(record));
    await writeFile(path.join(parts(), "crash.bin.part"), Buffer.concat([piece(x, 0), piece(x, 1), piece(x, 2)]));
    // The client never got the answer for its last chunk: it sends it again.
    expect(await (await chunk("crash.bin", x, 2)).json()).toMatchObject({ received: 3, complete: true });
    expect((await readFile(stored("crash.bin"))).equals(x)).toBe(true);
    expect(await readdir(parts())).toEqual(["crash.bin.chunks.json"]);
    const detail = (await (await callServer(t, "GET", "runs/r1")).json()) as { files: { filename: string; path: string }[] };
    expect(detail.files).toEqual([expect.objectContaining({ filename: "crash.bin", path: "files/big.bin", size: x.length })]);
  });

  it("an incomplete record whose part file is gone (an older server's crash after the rename) starts over, never renaming a new part over the stored file", async () => {
    const x = randomBytes(2 * CHUNK_SIZE + 3);
    for (const i of [0, 1, 2]) expect((await chunk("gone.bin", x, i)).status).toBe(200);
    const recordFile = path.join(parts(), "gone.bin.chunks.json");
    const record = JSON.parse(await readFile(recordFile, "utf8")) as { received: Record<string, number>; complete: boolean };
    record.complete = false;
    delete record.received["2"];
    await writeFile(recordFile, JSON.stringify(record));
    expect(await (await chunk("gone.bin", x, 2)).json()).toMatchObject({ received: 1, complete: false });
    expect((await readFile(stored("gone.bin"))).equals(x)).toBe(true);
  });

  it("continues a record written by an older server (no upload id)", async () => {
    const x = randomBytes(2 * CHUNK_SIZE);
    expect((await chunk("old.bin", x, 0)).status).toBe(200);
    const recordFile = path.join(parts(), "old.bin.chunks.json");
    const record = JSON.parse(await readFile(recordFile, "utf8")) as Record<string, unknown>;
    delete record.upload;
    await writeFile(recordFile, JSON.stringify(record));
    expect(await (await chunk("old.bin", x, 1)).json()).toMatchObject({ complete: true });
    expect((await readFile(stored("old.bin"))).equals(x)).toBe(true);
  });
});
