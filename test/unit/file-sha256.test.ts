import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fileSha256 } from "../../src/fs/file-sha256.js";

const dir = await mkdtemp(join(tmpdir(), "pw-sha-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("fileSha256", () => {
  it("is the sha256 of the whole file at every size around its 1 MiB pieces", async () => {
    const MiB = 1024 * 1024;
    for (const size of [0, 1, MiB - 1, MiB, MiB + 1, 2 * MiB, 3.5 * MiB + 7]) {
      const bytes = randomBytes(size);
      const file = join(dir, `f${size}`);
      await writeFile(file, bytes);
      expect(await fileSha256(file), `${size} bytes`).toBe(createHash("sha256").update(bytes).digest("hex"));
    }
  });

  it("with a length, is the sha256 of exactly that many first bytes, and fails for a file shorter than that", async () => {
    const MiB = 1024 * 1024;
    const bytes = randomBytes(3 * MiB + 5);
    const file = join(dir, "longer");
    await writeFile(file, bytes);
    for (const length of [0, 10, MiB, MiB + 3, 3 * MiB + 5]) {
      expect(await fileSha256(file, length), `${length} bytes`).toBe(createHash("sha256").update(bytes.subarray(0, length)).digest("hex"));
    }
    await expect(fileSha256(file, 3 * MiB + 6)).rejects.toThrow(/ended at 3145733 bytes while its first 3145734 were being hashed: it changed under the upload/);
  });

  it("rejects for a file that is not there", async () => {
    await expect(fileSha256(join(dir, "missing"))).rejects.toThrow(/ENOENT/);
  });
});
