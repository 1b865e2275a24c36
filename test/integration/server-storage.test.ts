import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CHUNK_SIZE } from "../../src/platform/types.js";
import { callServer, startTestServer, uploadMetadata, type TestServer } from "../helpers/server.js";

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.cleanup();
});

const stored = (runId: string, filename: string) => path.join(t.dataDir, "runs", runId, "files", filename);

function append(filename: string, bytes: Buffer, isNew: boolean, encoding?: "urlencoded" | "multipart", runId = "r1") {
  const form = { filename, chunk: bytes.toString("base64"), isNew, isAscii: true, metadata: uploadMetadata(runId, "main.log", { path: "logs/main.log" }) };
  return callServer(t, "POST", "storage/append", { form, ...(encoding ? { encoding } : {}) });
}

function chunk(filename: string, fileSize: number, chunkIndex: number, bytes: Buffer, runId = "r1") {
  const form = { filename, fileSize, chunkIndex, chunk: bytes.toString("base64"), metadata: uploadMetadata(runId, "big.bin", { path: "files/big.bin" }) };
  return callServer(t, "POST", "storage/chunks", { form });
}

describe("storage/append", () => {
  it("appends live in parts, then rewrites from the start with isNew", async () => {
    expect((await append("a.log", Buffer.from("line 1\n"), true)).status).toBe(200);
    expect((await append("a.log", Buffer.from("line 2\n"), false)).status).toBe(200);
    expect((await append("a.log", Buffer.from("line 3\n"), false)).status).toBe(200);
    expect(await readFile(stored("r1", "a.log"), "utf8")).toBe("line 1\nline 2\nline 3\n");
    expect((await append("a.log", Buffer.from("fresh\n"), true)).status).toBe(200);
    expect(await readFile(stored("r1", "a.log"), "utf8")).toBe("fresh\n");
  });

  it("takes the form as multipart/form-data too", async () => {
    expect((await append("m.log", Buffer.from("one\n"), true, "multipart")).status).toBe(200);
    expect((await append("m.log", Buffer.from("two\n"), false, "multipart")).status).toBe(200);
    expect(await readFile(stored("r1", "m.log"), "utf8")).toBe("one\ntwo\n");
  });

  it("creates an empty file from one empty append, and keeps binary bytes exact", async () => {
    expect((await append("empty.log", Buffer.alloc(0), true)).status).toBe(200);
    expect(await readFile(stored("r1", "empty.log"))).toHaveLength(0);
    const binary = Buffer.from(Array.from({ length: 4096 }, () => 0xff)); // base64 "////": every character url-escaped
    expect((await append("b.bin", binary, true)).status).toBe(200);
    expect((await readFile(stored("r1", "b.bin"))).equals(binary)).toBe(true);
  });

  it("files under metadata.resource when there is no runId (the Python runner)", async () => {
    const metadata: Record<string, unknown> = uploadMetadata("job-7", "x.log");
    delete metadata.runId;
    const res = await callServer(t, "POST", "storage/append", {
      form: { filename: "x.log", chunk: "aGk=", isNew: true, isAscii: true, metadata },
    });
    expect(res.status).toBe(200);
    expect(await readFile(stored("job-7", "x.log"), "utf8")).toBe("hi");
  });

  it("names the field that is wrong", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ isNew: "yes" }, '"isNew"'],
      [{ isAscii: 1 }, '"isAscii"'],
      [{ chunk: 5 }, '"chunk"'],
      [{ chunk: "not base64!" }, '"chunk"'],
      [{ metadata: { ...uploadMetadata("r1", "a"), project: 3 } }, '"metadata.project"'],
      [{ metadata: "x" }, '"metadata"'],
      [{ filename: 12 }, '"filename"'],
    ];
    for (const [patch, field] of cases) {
      const form = { filename: "a.log", chunk: "", isNew: true, isAscii: true, metadata: uploadMetadata("r1", "a"), ...patch };
      const res = await callServer(t, "POST", "storage/append", { form });
      expect(res.status, field).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain(field);
    }
    const noField = await callServer(t, "POST", "storage/append", { body: "other=1", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(noField.status).toBe(400);
    const notJson = await callServer(t, "POST", "storage/append", { body: "json=%7Bx", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(((await notJson.json()) as { error: string }).error).toMatch(/^storage\/append: .*not valid JSON/);
  });
});

describe("storage/chunks", () => {
  it("assembles a 12 MiB file sent in 3 chunks out of order, byte for byte", async () => {
    const file = randomBytes(12 * 1024 * 1024);
    const pieces = [0, 1, 2].map((i) => file.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE));
    for (const index of [2, 0]) {
      const res = await chunk("big.bin", file.length, index, pieces[index]!);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ complete: false });
    }
    await expect(readdir(path.join(t.dataDir, "runs", "r1", "files"))).rejects.toThrow();
    const last = await chunk("big.bin", file.length, 1, pieces[1]!);
    expect(await last.json()).toMatchObject({ complete: true, received: 3, count: 3 });
    expect((await readFile(stored("r1", "big.bin"))).equals(file)).toBe(true);
  });

  it("assembles a file whose chunks all come at once (their writes side by side), and takes a late retry of one", async () => {
    const file = randomBytes(8 * CHUNK_SIZE + 12_345);
    const count = Math.ceil(file.length / CHUNK_SIZE);
    const piece = (i: number) => file.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE);
    const answers = await Promise.all(Array.from({ length: count }, (_, i) => chunk("many.bin", file.length, i, piece(i))));
    expect(answers.map((res) => res.status)).toEqual(Array(count).fill(200));
    const progress = (await Promise.all(answers.map((res) => res.json()))) as { complete: boolean; received: number }[];
    // Each answer counts the chunks recorded by then; exactly one saw the file complete.
    expect(progress.filter((p) => p.received === count)).toHaveLength(1);
    expect(progress.filter((p) => p.complete).length).toBeGreaterThanOrEqual(1);
    expect((await readFile(stored("r1", "many.bin"))).equals(file)).toBe(true);
    // A chunk sent again after the file is complete (its first answer lost) goes into the stored file.
    expect(await (await chunk("many.bin", file.length, 3, piece(3))).json()).toMatchObject({ complete: true, received: count });
    expect((await readFile(stored("r1", "many.bin"))).equals(file)).toBe(true);
    expect((await readdir(path.join(t.dataDir, "runs", "r1", "files"))).filter((name) => name.startsWith("many.bin"))).toEqual(["many.bin"]);
  });

  it("starts over when chunks of another size come under the same name", async () => {
    const first = randomBytes(CHUNK_SIZE + 10);
    expect((await chunk("same.bin", first.length, 0, first.subarray(0, CHUNK_SIZE))).status).toBe(200);
    const second = randomBytes(2 * CHUNK_SIZE + 20);
    for (const i of [1, 0, 2]) await chunk("same.bin", second.length, i, second.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE));
    expect((await readFile(stored("r1", "same.bin"))).equals(second)).toBe(true);
  });

  it("keeps the last upload's bytes when chunks of two sizes race under one name (every chunk answered, a chunk's write never lands in the other's file)", async () => {
    const first = randomBytes(2 * CHUNK_SIZE);
    const second = randomBytes(2 * CHUNK_SIZE + 1);
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([
        chunk("race.bin", first.length, 0, first.subarray(0, CHUNK_SIZE)),
        chunk("race.bin", second.length, 0, second.subarray(0, CHUNK_SIZE)),
        chunk("race.bin", first.length, 1, first.subarray(CHUNK_SIZE)),
      ]);
      for (const res of answers) expect(res.status).toBe(200);
    }
    for (const i of [0, 1, 2]) expect((await chunk("race.bin", second.length, i, second.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE))).status).toBe(200);
    expect((await readFile(stored("r1", "race.bin"))).equals(second)).toBe(true);
  });

  it("stores an empty file as one empty chunk", async () => {
    const res = await chunk("empty.zip", 0, 0, Buffer.alloc(0));
    expect(await res.json()).toMatchObject({ complete: true, count: 1 });
    expect(await readFile(stored("r1", "empty.zip"))).toHaveLength(0);
  });

  it("refuses a chunk past the last one or of the wrong size", async () => {
    const extra = await chunk("f.bin", 10, 1, Buffer.alloc(0));
    expect(extra.status).toBe(400);
    expect(((await extra.json()) as { error: string }).error).toContain("chunkIndex");
    expect((await chunk("f.bin", 10, 0, Buffer.alloc(9))).status).toBe(400);
  });

  it("records which stored file is which output, with size and sha256 on GET runs/{id}", async () => {
    await chunk("c.bin", 3, 0, Buffer.from("abc"));
    await append("l.log", Buffer.from("x"), true);
    const detail = (await (await callServer(t, "GET", "runs/r1")).json()) as { files: unknown[] };
    expect(detail.files).toEqual([
      {
        filename: "c.bin",
        path: "files/big.bin",
        originalname: "big.bin",
        size: 3,
        sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      },
      { filename: "l.log", path: "logs/main.log", originalname: "main.log", size: 1, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
  });
});
