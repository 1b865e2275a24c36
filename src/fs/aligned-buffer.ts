/**
 * What O_DIRECT asks of a buffer's address, a file position and a length: multiples of the disk's
 * logical block size (512 bytes on the VMs measured; 4096 covers every disk met in practice).
 */
export const DIRECT_ALIGN = 4096;

/** The part of the WebAssembly global used here (the Node types do not declare it). */
interface WebAssemblyMemoryApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => { buffer: SharedArrayBuffer };
}

const WASM_PAGE = 64 * 1024;

/**
 * A buffer of `bytes` bytes (zeroed) that starts on a page boundary, so it can be written to or
 * read from a file opened with O_DIRECT, and whose memory is shared: posted to a worker thread, it
 * is not copied. Node gives no such buffer: a large Buffer starts 16 bytes past a page at best,
 * wherever glibc puts it. A WebAssembly memory is mapped on pages of its own, so it is one, of its
 * own (rounded up to 64 KiB). Where that cannot be had, a SharedArrayBuffer's: direct I/O with it
 * may fail with EINVAL, and its users then go through the page cache.
 */
export function alignedBuffer(bytes: number): Buffer {
  const api = (globalThis as { WebAssembly?: WebAssemblyMemoryApi }).WebAssembly;
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE));
  try {
    if (api) return Buffer.from(new api.Memory({ initial: pages, maximum: pages, shared: true }).buffer, 0, bytes);
  } catch {
    // below
  }
  return Buffer.from(new SharedArrayBuffer(bytes));
}

/** `position` and `length` can go through O_DIRECT (the buffer's own start must be aligned too). */
export function isDirectAligned(position: number, length: number): boolean {
  return position % DIRECT_ALIGN === 0 && length % DIRECT_ALIGN === 0;
}
