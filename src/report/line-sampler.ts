/**
 * Keeps a line of any length to at most `maxPoints` points as it streams by, in bounded memory. The
 * points are grouped into buckets and each bucket keeps its first, lowest, highest and last point (M4
 * decimation): drawn, that is the same picture as all the points, peaks included. When the buckets
 * fill up, neighbours are merged pairwise and new buckets take twice as many points.
 */

export interface Point {
  x: number;
  y: number;
}

/** A line in order; `null` is a break (an empty or non-numeric cell). */
export type SampledLine = (Point | null)[];

interface Kept extends Point {
  /** The point's position in the stream, to keep the four in order. */
  n: number;
}

interface Bucket {
  first: Kept;
  min: Kept;
  max: Kept;
  last: Kept;
  size: number;
  /** A break follows. After a merge it may sit up to one bucket late: at this density, not visible. */
  breakAfter: boolean;
}

export class LineSampler {
  readonly #limit: number;
  readonly #closed: Bucket[] = [];
  #open: Bucket | undefined;
  #span = 1;
  #seen = 0;
  #numeric = 0;

  constructor(maxPoints: number) {
    // Each bucket gives up to 4 points; at most 2 * limit buckets are kept before a merge halves them.
    this.#limit = Math.max(1, Math.floor(maxPoints / 8));
  }

  /** How many numeric points went in. */
  get count(): number {
    return this.#numeric;
  }

  add(x: number, y: number): void {
    const n = this.#seen++;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      this.#break();
      return;
    }
    this.#numeric++;
    const p: Kept = { x, y, n };
    const open = this.#open;
    if (!open) {
      this.#open = { first: p, min: p, max: p, last: p, size: 1, breakAfter: false };
    } else {
      open.last = p;
      if (y < open.min.y) open.min = p;
      if (y > open.max.y) open.max = p;
      open.size++;
    }
    if ((this.#open as Bucket).size >= this.#span) this.#close();
  }

  points(): SampledLine {
    const buckets = this.#open ? [...this.#closed, this.#open] : this.#closed;
    const line: SampledLine = [];
    for (const b of buckets) {
      const four = [b.first, b.min, b.max, b.last].sort((a, c) => a.n - c.n);
      four.forEach((p, i) => {
        if (i === 0 || p.n !== four[i - 1]?.n) line.push({ x: p.x, y: p.y });
      });
      if (b.breakAfter) line.push(null);
    }
    if (line[line.length - 1] === null) line.pop();
    return line;
  }

  #break(): void {
    if (this.#open) {
      this.#open.breakAfter = true;
      this.#close();
    } else {
      const last = this.#closed[this.#closed.length - 1];
      if (last) last.breakAfter = true; // a break before any point draws nothing
    }
  }

  #close(): void {
    this.#closed.push(this.#open as Bucket);
    this.#open = undefined;
    if (this.#closed.length < 2 * this.#limit) return;
    const merged: Bucket[] = [];
    for (let i = 0; i < this.#closed.length; i += 2) {
      const a = this.#closed[i] as Bucket;
      const b = this.#closed[i + 1];
      merged.push(b ? merge(a, b) : a);
    }
    this.#closed.splice(0, this.#closed.length, ...merged);
    this.#span *= 2;
  }
}

function merge(a: Bucket, b: Bucket): Bucket {
  return {
    first: a.first,
    min: b.min.y < a.min.y ? b.min : a.min,
    max: b.max.y > a.max.y ? b.max : a.max,
    last: b.last,
    size: a.size + b.size,
    breakAfter: a.breakAfter || b.breakAfter,
  };
}
