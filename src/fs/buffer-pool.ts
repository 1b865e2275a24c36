/**
 * Buffers of one size, lent out and given back, so that v1's encoded chunks reuse memory the
 * process has already touched: a fresh megabyte costs its page faults on every use (about 1 ns a
 * byte on the 2-core VMs measured, as much as encoding it) and later a garbage collection.
 */
export class BufferPool {
  private readonly spare: Buffer[] = [];

  /**
   * @param size the length of every pooled buffer; a longer request gets a buffer of its own
   * @param keep how many spare buffers are kept at most (their memory stays with the process)
   * @param allocate makes a buffer of the given length when none is spare (its own memory: see give)
   */
  constructor(
    readonly size: number,
    readonly keep: number,
    private readonly allocate: (bytes: number) => Buffer = (bytes) => Buffer.allocUnsafeSlow(bytes),
  ) {}

  /** A buffer of `length` bytes, its contents undefined. */
  take(length: number): Buffer {
    if (length > this.size) return this.allocate(length);
    return (this.spare.pop() ?? this.allocate(this.size)).subarray(0, length);
  }

  /** Gives back buffers from take() that nothing reads or writes any more (one given twice is kept once). */
  give(buffers: readonly Buffer[]): void {
    for (const buffer of buffers) {
      if (this.spare.length >= this.keep) return;
      if (buffer.byteOffset !== 0 || buffer.buffer.byteLength !== this.size) continue;
      if (this.spare.some((spare) => spare.buffer === buffer.buffer)) continue;
      this.spare.push(Buffer.from(buffer.buffer, 0, this.size));
    }
  }
}
