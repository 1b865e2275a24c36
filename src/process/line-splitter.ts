/**
 * Turns a byte stream into text lines while holding at most one line.
 *
 * Splitting happens on bytes, before decoding: 0x0A never occurs inside a
 * multi-byte UTF-8 sequence, so a character split across two chunks is simply
 * carried over with the rest of its line and decoded whole.
 */

/** Past this, a line is emitted as it stands: a progress bar redrawn with "\r" alone must not grow memory. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export interface LineSplitterOptions {
  maxLineBytes?: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class LineSplitter {
  readonly #onLine: (line: string) => void;
  readonly #maxLineBytes: number;
  #parts: Buffer[] = [];
  #size = 0;

  constructor(onLine: (line: string) => void, { maxLineBytes = DEFAULT_MAX_LINE_BYTES }: LineSplitterOptions = {}) {
    // Four bytes is the longest UTF-8 character; below that a cut could not keep characters whole.
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 4) {
      throw new TypeError(`LineSplitter: "maxLineBytes" must be an integer of at least 4 (got ${String(maxLineBytes)})`);
    }
    this.#onLine = onLine;
    this.#maxLineBytes = maxLineBytes;
  }

  push(chunk: Uint8Array): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.#append(chunk.subarray(start));
        return;
      }
      this.#append(chunk.subarray(start, newline));
      this.#emitPending();
      start = newline + 1;
    }
  }

  /** The stream ended: a last line without a newline is still a line. */
  end(): void {
    if (this.#size > 0) this.#emitPending();
  }

  #append(bytes: Uint8Array): void {
    while (this.#size + bytes.length > this.#maxLineBytes) {
      const room = this.#maxLineBytes - this.#size;
      const head = Buffer.concat([...this.#parts, bytes.subarray(0, room)], this.#maxLineBytes);
      const cut = characterBoundary(head, bytes[room]!);
      this.#onLine(head.toString("utf8", 0, cut));
      // At most three bytes of a character cut in half go on to the next piece.
      this.#parts = cut < head.length ? [Buffer.from(head.subarray(cut))] : [];
      this.#size = head.length - cut;
      bytes = bytes.subarray(room);
    }
    if (bytes.length === 0) return;
    // A copy, not a view: a view would keep the whole chunk it came from alive.
    this.#parts.push(Buffer.from(bytes));
    this.#size += bytes.length;
  }

  #emitPending(): void {
    const line = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#size);
    const end = line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.length - 1 : line.length;
    this.#parts = [];
    this.#size = 0;
    this.#onLine(line.toString("utf8", 0, end));
  }
}

/**
 * Where to cut `head` so that no character is split, given the byte that follows it.
 * A position is a boundary when the byte there is not a continuation byte (10xxxxxx).
 */
function characterBoundary(head: Buffer, next: number): number {
  for (let position = head.length; position > 0 && position >= head.length - 3; position--) {
    const byte = position === head.length ? next : head[position]!;
    if ((byte & 0xc0) !== 0x80) return position;
  }
  // Not UTF-8 at all: any cut is as good as another.
  return head.length;
}
