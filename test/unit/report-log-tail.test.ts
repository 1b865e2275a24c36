import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readLastLines } from "../../src/report/log-tail.js";
import { useTempWorks } from "../helpers/work-dir.js";

const { tempDir } = useTempWorks();

async function file(content: string | Buffer): Promise<string> {
  const path = join(await tempDir("pw-tail-"), "main.log");
  await writeFile(path, content);
  return path;
}

describe("readLastLines()", () => {
  it("gives the last lines of a file many chunks long", async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${"x".repeat(i % 70)}`);
    const tail = await readLastLines(await file(`${lines.join("\n")}\n`), 200, { chunkBytes: 1024 });
    expect(tail.lines).toEqual(lines.slice(-200));
    expect(tail.more).toBe(true);
  });

  it("gives a short file whole, with or without a final newline, CRLF or not", async () => {
    expect(await readLastLines(await file("a\r\nb\r\nc"), 200)).toEqual({ lines: ["a", "b", "c"], more: false });
    expect(await readLastLines(await file("a\n\nb\n"), 200)).toEqual({ lines: ["a", "", "b"], more: false });
    expect(await readLastLines(await file(""), 200)).toEqual({ lines: [], more: false });
  });

  it("is empty for a missing file", async () => {
    expect(await readLastLines(join(await tempDir("pw-tail-"), "none.log"), 10)).toEqual({ lines: [], more: false });
  });

  it("cuts an endless line without reading all of it", async () => {
    const tail = await readLastLines(await file(`first\n${"y".repeat(5_000_000)}\nlast\n`), 2, { maxLineChars: 100 });
    expect(tail.lines).toEqual([`…${"y".repeat(100)}`, "last"]);
    const long = await readLastLines(await file(`${"z".repeat(300)}\n`), 5, { maxLineChars: 100 });
    expect(long.lines).toEqual([`${"z".repeat(100)}…`]);
  });

  it("keeps multi-byte characters whole", async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `température ${i} °C — ✓`);
    const tail = await readLastLines(await file(`${lines.join("\n")}\n`), 10, { chunkBytes: 7 });
    expect(tail.lines).toEqual(lines.slice(-10));
  });
});
