import { describe, expect, it } from "vitest";
import { LineSplitter } from "../../src/process/line-splitter.js";

function split(chunks: (string | Uint8Array)[], maxLineBytes?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), maxLineBytes === undefined ? {} : { maxLineBytes });
  for (const chunk of chunks) splitter.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  splitter.end();
  return lines;
}

describe("LineSplitter", () => {
  it("splits lines across and within chunks", () => {
    expect(split(["a\nb", "c\n", "\nd\ne\n"])).toEqual(["a", "bc", "", "d", "e"]);
  });

  it("keeps a multi-byte character whole when a chunk boundary falls inside it", () => {
    const bytes = Buffer.from("añ€😀z\n", "utf8"); // 1 + 2 + 3 + 4 + 1 bytes, then \n
    // Every possible single cut, and one byte at a time.
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(split([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(["añ€😀z"]);
    }
    expect(split([...bytes].map((byte) => Uint8Array.of(byte)))).toEqual(["añ€😀z"]);
  });

  it("drops the \\r of \\r\\n, also when \\r and \\n arrive in different chunks", () => {
    expect(split(["one\r\ntwo\r", "\nthree\r\n"])).toEqual(["one", "two", "three"]);
  });

  it("keeps a \\r that does not end a line", () => {
    expect(split(["10%\r20%\r30%\n"])).toEqual(["10%\r20%\r30%"]);
  });

  it("emits a last line that has no newline, and nothing for an empty end", () => {
    expect(split(["first\nlast"])).toEqual(["first", "last"]);
    expect(split(["only\n"])).toEqual(["only"]);
    expect(split([])).toEqual([]);
    expect(split(["last\r"])).toEqual(["last"]);
  });

  it("cuts an overlong line into pieces of at most maxLineBytes", () => {
    const lines = split(["a".repeat(25), "b".repeat(10) + "\nshort\n"], 10);
    expect(lines).toEqual(["aaaaaaaaaa", "aaaaaaaaaa", "aaaaabbbbb", "bbbbb", "short"]);
  });

  it("never cuts an overlong line inside a character", () => {
    // Ten 3-byte characters with a cap of 8 bytes: pieces of two characters (6 bytes).
    const text = "€".repeat(10);
    const lines = split([text + "\n"], 8);
    expect(lines.join("")).toBe(text);
    for (const line of lines) {
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(8);
      expect(line).not.toContain("\uFFFD");
    }
  });

  it("holds no more than one line: a 5 MiB line without newline comes out in 1 MiB pieces", () => {
    const lines: number[] = [];
    const splitter = new LineSplitter((line) => lines.push(line.length));
    const chunk = Buffer.alloc(64 * 1024, "x");
    for (let i = 0; i < 80; i++) splitter.push(chunk);
    splitter.end();
    expect(lines).toEqual([1048576, 1048576, 1048576, 1048576, 1048576]);
  });

  it("rejects a cap that could not hold one character", () => {
    expect(() => new LineSplitter(() => undefined, { maxLineBytes: 3 })).toThrow(/maxLineBytes/);
  });
});
