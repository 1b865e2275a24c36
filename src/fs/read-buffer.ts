/**
 * How far into its allocation a read buffer starts. glibc gives every allocation of 128 KiB or
 * more a mapping of its own with the bytes 16 past a page boundary, and the kernel copies a file's
 * pages (which start on page boundaries) into such a buffer about five times slower than into one
 * 48 bytes further on: a destination 8 to 24 bytes past its source modulo 4 KiB makes the CPU's
 * loads wait on the stores before them (4K aliasing). Measured on the 2-core AMD EPYC VMs: reading
 * 512 MiB from the page cache in 1 MiB pieces took 204 ms at 16 and 50 ms here (scripts/bench/read-buffer.ts).
 * A buffer that the allocator placed elsewhere lands at a random offset either way.
 */
export const READ_BUFFER_SHIFT = 48;

/** Smaller buffers come from the heap, at no fixed offset, or from Node's pool: left as they are. */
const SHIFTED_FROM_BYTES = 64 * 1024;

/** A buffer of `bytes` bytes (contents undefined) for reading a file into: see READ_BUFFER_SHIFT. */
export function readBuffer(bytes: number): Buffer {
  if (bytes < SHIFTED_FROM_BYTES) return Buffer.allocUnsafe(bytes);
  return Buffer.allocUnsafeSlow(bytes + READ_BUFFER_SHIFT).subarray(READ_BUFFER_SHIFT);
}
