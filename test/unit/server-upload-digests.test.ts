import { createHash, randomBytes } from "node:crypto";
import { open, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UploadDigests, type BodyDigest } from "../../src/server/store/upload-digests.js";
import { scratchDir } from "../helpers/scratch-dir.js";

const dir = await scratchDir("pw-digests-");

const MiB = 1024 * 1024;
const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

let digests: UploadDigests;
afterEach(async () => {
  await digests.close();
});

/** Writes `bytes` at `at` in `file` in pieces of `piece`, telling `digest` as BodyWriter does. */
async function writeBody(file: string, at: number, bytes: Buffer, digest: BodyDigest | undefined, piece = MiB): Promise<number> {
  const handle = await open(file, "r+");
  try {
    for (let from = 0; from < bytes.length; from += piece) {
      const part = bytes.subarray(from, from + piece);
      const hashed = digest?.took(part);
      await handle.write(part, 0, part.length, at + from);
      await hashed;
    }
  } finally {
    await handle.close();
  }
  return at + bytes.length;
}

// Sizes on both sides of the 4 MiB where uploads go to the digest thread: the same rules either way.
describe.each([
  ["in memory", 3 * MiB + 5],
  ["on the digest thread", 9 * MiB + 5],
])("UploadDigests, an upload hashed %s", (_where, size) => {
  it("keeps a digest across bodies, and a failed body leaves the one kept before it", async () => {
    digests = new UploadDigests();
    const file = join(dir, `a-${size}`);
    await writeFile(file, "");
    const bytes = randomBytes(size);
    const cut = 2 * MiB + 3;

    const first = digests.from("a", 0, size);
    expect(first).toBeDefined();
    first!.keep(await writeBody(file, 0, bytes.subarray(0, cut), first, 700_000));

    // A body that fails after writing junk: its bytes are cut off and the digest is dropped.
    const failed = digests.from("a", cut, size);
    await writeBody(file, cut, randomBytes(MiB), failed);
    failed!.drop();
    await truncate(file, cut);

    const rest = digests.from("a", cut, size);
    expect(rest).toBeDefined();
    rest!.keep(await writeBody(file, cut, bytes.subarray(cut), rest));
    expect(await digests.take("a", size)).toBe(sha(bytes));
    // Taken once: a second complete reads the disk.
    expect(await digests.take("a", size)).toBeUndefined();
  });

  it("knows nothing of bytes it did not see from the start, nor of a size other than the kept one", async () => {
    digests = new UploadDigests();
    const file = join(dir, `b-${size}`);
    await writeFile(file, "");
    const bytes = randomBytes(size);
    const late = digests.from("b", MiB, size);
    if (late) late.keep(await writeBody(file, MiB, bytes.subarray(MiB), late));
    expect(await digests.take("b", size)).toBeUndefined();

    const whole = digests.from("c", 0, size);
    whole!.keep(await writeBody(file, 0, bytes, whole));
    expect(await digests.take("c", size - 1)).toBeUndefined();
  });

  it("goes on only from the offset it kept, and keeps only the offset its bytes reached", async () => {
    digests = new UploadDigests();
    const file = join(dir, `f-${size}`);
    await writeFile(file, "");
    const bytes = randomBytes(size);
    const first = digests.from("f", 0, size)!;
    first.keep(await writeBody(file, 0, bytes.subarray(0, 2 * MiB), first));
    // A body from another offset than the kept one knows nothing, and the kept digest is gone.
    const elsewhere = digests.from("f", MiB, size);
    if (elsewhere) elsewhere.keep(await writeBody(file, MiB, bytes.subarray(MiB), elsewhere));
    expect(await digests.take("f", size)).toBeUndefined();

    // A keep at an offset its bytes did not reach is not kept.
    const short = digests.from("g", 0, size)!;
    await writeBody(file, 0, bytes, short);
    short.keep(size + 1);
    expect(await digests.take("g", size + 1)).toBeUndefined();
    expect(await digests.take("g", size)).toBeUndefined();
  });
});

describe("UploadDigests, the digest thread", () => {
  it("hashes the bytes it is told of, in shared memory (as they are) or not (copied), whatever becomes of them after", async () => {
    digests = new UploadDigests();
    const bytes = randomBytes(6 * MiB);
    const shared = Buffer.from(new SharedArrayBuffer(2 * MiB));
    bytes.copy(shared, 0, 4 * MiB);
    const digest = digests.from("d", 0, bytes.length)!;
    await digest.took(bytes.subarray(0, 4 * MiB));
    await digest.took(shared);
    // Once a piece is hashed, its memory may take other bytes.
    shared.fill(0);
    digest.keep(bytes.length);
    expect(await digests.take("d", bytes.length)).toBe(sha(bytes));
  });

  it("starts a new thread after one failed, and says so in the log", async () => {
    const log: string[] = [];
    digests = new UploadDigests((line) => log.push(line));
    const bytes = randomBytes(5 * MiB);
    const first = digests.from("h1", 0, bytes.length)!;
    await first.took(bytes);
    first.keep(bytes.length);
    expect(await digests.take("h1", bytes.length)).toBe(sha(bytes));
    // The thread dies (as an uncaught error in it would end it).
    const thread = (digests as unknown as { thread: { worker: { terminate(): Promise<number> } } }).thread;
    await thread.worker.terminate();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(log.join("\n")).toMatch(/the upload digest thread stopped \(it exited with code 1\)/);
    // Bytes told to the stopped thread settle at once, and nothing is known of them.
    const lost = digests.from("h1", bytes.length, 2 * bytes.length);
    if (lost) await lost.took(bytes);
    const second = digests.from("h2", 0, bytes.length)!;
    await second.took(bytes);
    second.keep(bytes.length);
    expect(await digests.take("h2", bytes.length)).toBe(sha(bytes));
  });

  it("answers no digest for bytes it was not told of, and after close", async () => {
    digests = new UploadDigests();
    const digest = digests.from("e", 0, 5 * MiB)!;
    await digest.took(randomBytes(MiB));
    digest.keep(5 * MiB);
    expect(await digests.take("e", 5 * MiB)).toBeUndefined();
    await digests.close();
    expect(await digests.take("e", 5 * MiB)).toBeUndefined();
    // No thread is started once closed.
    expect(digests.from("e2", 0, 5 * MiB)).toBeUndefined();
  });
});
