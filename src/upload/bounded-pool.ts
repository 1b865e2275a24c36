/**
 * A fixed number of workers fed by a queue of keys (paths, not bytes). A key already queued is not
 * queued twice; a key whose job is running is queued once more to run after it (the file changed
 * while it was being sent), so the same file is never sent twice at once.
 */
export class BoundedPool {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly size: number,
    private readonly job: (key: string) => Promise<void>,
    private readonly onError: (key: string, error: unknown) => void,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`pool size must be a whole number ≥ 1 (got ${size})`);
  }

  push(key: string): void {
    if (this.stopped || this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  get pending(): number {
    return this.queue.length + this.running.size;
  }

  /**
   * Starts no job from now on: what is queued is dropped, later pushes are ignored. Jobs under way
   * run to their end (the caller stops them by its own means); `idle` settles once they have.
   */
  stop(): void {
    this.stopped = true;
    this.drain();
  }

  /** Drops what is queued and has not started, and returns it; jobs under way run to their end. */
  drain(): string[] {
    const dropped = this.queue.splice(0);
    this.queued.clear();
    if (this.pending === 0) this.idleWaiters.splice(0).forEach((w) => w());
    return dropped;
  }

  /** Settles once the queue is empty and no job runs. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    for (let i = 0; i < this.queue.length && this.running.size < this.size; ) {
      const key = this.queue[i] as string;
      if (this.running.has(key)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.queued.delete(key);
      this.running.add(key);
      void this.job(key)
        .catch((error: unknown) => this.onError(key, error))
        .finally(() => {
          this.running.delete(key);
          this.pump();
          if (this.pending === 0) this.idleWaiters.splice(0).forEach((w) => w());
        });
    }
  }
}
