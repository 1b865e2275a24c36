import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BodyWriter } from "../../src/server/store/body-writer.js";
import { UploadDigests, type BodyDigest } from "../../src/server/store/upload-digests.js";
import { scratchDir } from "../helpers/scratch-dir.js";

const dir = await scratchDir("pw-body-writer-");

const MiB = 1024 * 1024;
const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

let digests: UploadDigests;
afterEach(async () => {
  await digests.close();
});

/** Feeds `body` to the writer in pieces of uneven sizes (as a socket gives them), waiting when told to. */
async function feed(writer: BodyWriter, body: Buffer): Promise<void> {
  const sizes = [65_536, 1, 4_095, 200_000, 65_536, 12_345, 65_536, 3 * MiB + 7];
  for (let at = 0, i = 0; at < body.length; i++) {
    const piece = body.subarray(at, at + sizes[i % sizes.length]!);
    await writer.take(piece);
    at += piece.length;
  }
}

/** An 8 MiB body fed to a writer whose file is a folder: the body fails (EISDIR), and close() does not throw. */
async function failsInFolder(writer: BodyWriter): Promise<void> {
  await expect(
    (async () => {
      await feed(writer, randomBytes(8 * MiB));
      await writer.finish();
    })(),
  ).rejects.toThrow(/EISDIR/);
  await writer.close(0);
}

describe("BodyWriter", () => {
  it.each([
    ["a large body from offset 0", 0, 9 * MiB + 123],
    ["a large body from an offset off the MiB (a resumed upload)", MiB + 777, 6 * MiB + 5],
    ["a body of one batch", 0, 700_000],
    ["a body of a few batches, under the direct size", 300, 3 * MiB + 1],
  ])("writes %s whole, after the bytes before it, with its digest", async (_name, start, length) => {
    digests = new UploadDigests();
    const file = join(dir, `body-${start}-${length}`);
    const before = randomBytes(start);
    await writeFile(file, before);
    const body = randomBytes(length);
    const size = start + length;
    // The digest of the bytes before the body, kept as a previous PATCH would have.
    const first = digests.from(file, 0, size)!;
    if (start > 0) await first.took(before);
    first.keep(start);
    const digest = digests.from(file, start, size);
    const writer = new BodyWriter(file, start, length, digest);
    await feed(writer, body);
    const end = await writer.finish();
    digest?.keep(end);
    await writer.close(end);
    expect(end).toBe(size);
    const stored = await readFile(file);
    expect(stored.length).toBe(size);
    expect(stored.equals(Buffer.concat([before, body]))).toBe(true);
    expect(await digests.take(file, size)).toBe(sha(stored));
  });

  // fincore (util-linux) tells how much of a file is in the page cache.
  const fincore = (() => {
    try {
      execFileSync("fincore", ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!fincore)("writes a large body's whole MiB past the page cache, and only its tail through it", async () => {
    digests = new UploadDigests();
    const file = join(dir, "direct");
    const body = randomBytes(16 * MiB + 100);
    const writer = new BodyWriter(file, 0, body.length, undefined);
    await feed(writer, body);
    await writer.close(await writer.finish());
    // Before the file is read back (which brings it into the cache).
    const cached = Number(execFileSync("fincore", ["--bytes", "--noheadings", "--output", "RES", file], { encoding: "utf8" }).trim());
    expect(cached).toBeLessThan(MiB);
    expect((await readFile(file)).equals(body)).toBe(true);
  });

  it("keeps the bytes that arrived when the body stops early, and cuts off what lies past them", async () => {
    digests = new UploadDigests();
    const file = join(dir, "early");
    await writeFile(file, randomBytes(12 * MiB)); // junk past the part that arrives
    const body = randomBytes(10 * MiB);
    const arrived = body.subarray(0, 5 * MiB + 999);
    const digest = digests.from("early", 0, body.length)!;
    const writer = new BodyWriter(file, 0, body.length, digest);
    await feed(writer, arrived);
    const end = await writer.finish();
    digest.keep(end);
    await writer.close(end);
    expect(end).toBe(arrived.length);
    expect((await readFile(file)).equals(arrived)).toBe(true);
    expect(await digests.take("early", arrived.length)).toBe(sha(arrived));
  });

  it("gives no batch back while its hash still reads it, even when its write failed", async () => {
    digests = new UploadDigests();
    const file = join(dir, "another-folder");
    await mkdir(file);
    let hashing = 0;
    const slow: BodyDigest = {
      took: () => {
        hashing++;
        return new Promise((resolve) => setTimeout(resolve, 150)).then(() => {
          hashing--;
        });
      },
      keep: () => undefined,
      drop: () => undefined,
    };
    await failsInFolder(new BodyWriter(file, 0, 8 * MiB, slow));
    expect(hashing).toBe(0);
  });

  it("fails the body when its file cannot be written, and closes without a throw", async () => {
    digests = new UploadDigests();
    const file = join(dir, "a-folder");
    await mkdir(file);
    await failsInFolder(new BodyWriter(file, 0, 8 * MiB, digests.from("folder", 0, 8 * MiB)));
  });
});
