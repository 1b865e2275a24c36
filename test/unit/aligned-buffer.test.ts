import { describe, expect, it } from "vitest";
import { alignedBuffer, isAlignedBuffer, isDirectWritable } from "../../src/fs/aligned-buffer.js";

describe("alignedBuffer", () => {
  it("is shared memory that direct I/O takes from its start or a whole block into it, and nothing else is", () => {
    const buffer = alignedBuffer(1024 * 1024);
    expect(buffer.length).toBe(1024 * 1024);
    expect(buffer.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(isAlignedBuffer(buffer)).toBe(true);
    expect(isAlignedBuffer(buffer.subarray(4096))).toBe(true);
    expect(isAlignedBuffer(buffer.subarray(16))).toBe(false);
    expect(isAlignedBuffer(Buffer.allocUnsafeSlow(1024 * 1024))).toBe(false);
    expect(isAlignedBuffer(Buffer.from(new SharedArrayBuffer(4096)))).toBe(false);
    expect(isDirectWritable(buffer, 8192)).toBe(true);
    expect(isDirectWritable(buffer, 100)).toBe(false);
    expect(isDirectWritable(buffer.subarray(0, 5000), 0)).toBe(false);
  });
});
