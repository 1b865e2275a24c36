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

/** The memory of the buffers alignedBuffer made on a page boundary. */
const aligned = new WeakSet<SharedArrayBuffer>();

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
    if (api) {
      const memory = new api.Memory({ initial: pages, maximum: pages, shared: true }).buffer;
      aligned.add(memory);
      return Buffer.from(memory, 0, bytes);
    }
  } catch {
    // below
  }
  return Buffer.from(new SharedArrayBuffer(bytes));
}

/** `bytes` start on a page boundary: a part of an alignedBuffer that starts a whole DIRECT_ALIGN into it. */
export function isAlignedBuffer(bytes: Buffer): boolean {
  return bytes.buffer instanceof SharedArrayBuffer && aligned.has(bytes.buffer) && bytes.byteOffset % DIRECT_ALIGN === 0;
}

/** `bytes` can be written at `position` through O_DIRECT: the buffer, the position and the length on whole blocks. */
export function isDirectWritable(bytes: Buffer, position: number): boolean {
  return position % DIRECT_ALIGN === 0 && bytes.length % DIRECT_ALIGN === 0 && isAlignedBuffer(bytes);
}
