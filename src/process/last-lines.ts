/** A tail line is for an error summary: a megabyte-long line is cut to this many characters. */
const MAX_TAIL_LINE_CHARS = 4096;

/** The last `capacity` lines seen, in order, in a fixed ring. */
export class LastLines {
  readonly #ring: string[] = [];
  readonly #capacity: number;
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  push(line: string): void {
    if (this.#capacity === 0) return;
    const kept = line.length > MAX_TAIL_LINE_CHARS ? `${line.slice(0, MAX_TAIL_LINE_CHARS)}…` : line;
    if (this.#ring.length < this.#capacity) {
      this.#ring.push(kept);
    } else {
      this.#ring[this.#next] = kept;
    }
    this.#next = (this.#next + 1) % this.#capacity;
  }

  toArray(): string[] {
    if (this.#ring.length < this.#capacity) return [...this.#ring];
    return [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)];
  }
}
