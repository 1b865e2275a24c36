import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { alignedBuffer } from "../../src/fs/aligned-buffer.js";
import { copyBytes } from "../../src/fs/copy-bytes.js";

describe("copyBytes", () => {
  it("copies every byte at every alignment, into shared memory (alignedBuffer's) and into a plain Buffer, and nothing around them", () => {
    const source = randomBytes(70_000);
    for (const target of [alignedBuffer(80_000), Buffer.alloc(80_000)]) {
      for (const [from, at, length] of [[0, 0, 70_000], [3, 0, 65_536], [5, 16, 1000], [1, 7, 69_999], [8, 9, 1], [0, 79_999, 1]] as const) {
        target.fill(0xee);
        expect(copyBytes(source.subarray(from, from + length), target, at)).toBe(length);
        expect(target.subarray(at, at + length).equals(source.subarray(from, from + length))).toBe(true);
        expect(target.subarray(0, at).every((b) => b === 0xee)).toBe(true);
        expect(target.subarray(at + length).every((b) => b === 0xee)).toBe(true);
      }
    }
  });

  it("takes an empty source (Buffer.fill would refuse it) and a source in shared memory", () => {
    const target = Buffer.alloc(8, 1);
    expect(copyBytes(Buffer.alloc(0), target, 8)).toBe(0);
    expect(target.equals(Buffer.alloc(8, 1))).toBe(true);
    const shared = alignedBuffer(16);
    shared.write("shared!", 3, "latin1");
    expect(copyBytes(shared.subarray(3, 10), target, 1)).toBe(7);
    expect(target.toString("latin1", 1)).toBe("shared!");
  });

  it("refuses a source longer than the room left, writing nothing", () => {
    const target = Buffer.alloc(10, 2);
    expect(() => copyBytes(Buffer.alloc(5, 9), target, 6)).toThrow(RangeError);
    expect(target.equals(Buffer.alloc(10, 2))).toBe(true);
  });
});
