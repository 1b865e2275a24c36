import { expect, it } from "vitest";
import { BufferPool } from "../../src/fs/buffer-pool.js";

it("lends buffers of the asked length and takes back its own, up to `keep` of them", () => {
  const pool = new BufferPool(1024, 2);
  const a = pool.take(100);
  const b = pool.take(1024);
  const c = pool.take(10);
  expect([a.length, b.length, c.length]).toEqual([100, 1024, 10]);
  expect(new Set([a.buffer, b.buffer, c.buffer]).size).toBe(3);
  pool.give([a, b, c]);
  // Only two kept: the third take is new memory.
  const again = [pool.take(5), pool.take(6), pool.take(7)].map((buffer) => buffer.buffer);
  expect(again.filter((memory) => memory === a.buffer || memory === b.buffer || memory === c.buffer)).toHaveLength(2);
});

it("gives a longer request a buffer of its own, and never pools a buffer it did not lend", () => {
  const pool = new BufferPool(1024, 4);
  const long = pool.take(5000);
  expect(long.length).toBe(5000);
  pool.give([long, Buffer.alloc(1024).subarray(0, 10), Buffer.alloc(2048)]);
  const next = pool.take(10);
  expect(next.buffer).not.toBe(long.buffer);
  expect(next.buffer.byteLength).toBe(1024);
});

it("keeps a buffer given back twice only once, so two takers never share it", () => {
  const pool = new BufferPool(1024, 4);
  const a = pool.take(10);
  pool.give([a]);
  pool.give([a.subarray(0, 5)]);
  expect(pool.take(1).buffer).toBe(a.buffer);
  expect(pool.take(1).buffer).not.toBe(a.buffer);
});
