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

  it("rejects for a file that is not there", async () => {
    await expect(fileSha256(join(dir, "missing"))).rejects.toThrow(/ENOENT/);
  });
});
