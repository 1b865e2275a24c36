/**
 * The in-process pool: at most `concurrency` jobs run at once, the rest wait in order. Each running
 * job has an AbortController; a job's task is given its signal and must end soon after an abort.
 */
export class JobPool {
  private readonly waiting: string[] = [];
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(
    private readonly concurrency: number,
    private readonly task: (jobId: string, signal: AbortSignal) => Promise<void>,
  ) {}

  enqueue(jobId: string): void {
    if (this.waiting.includes(jobId) || this.running.has(jobId)) return;
    this.waiting.push(jobId);
    this.pump();
  }

  /** Takes a job out of the queue: true when it was waiting (and will not start). */
  dequeue(jobId: string): boolean {
    const at = this.waiting.indexOf(jobId);
    if (at === -1) return false;
    this.waiting.splice(at, 1);
    return true;
  }

  /** Aborts a running job with `reason`; resolves when its task has ended. False when it is not running. */
  async abort(jobId: string, reason: string): Promise<boolean> {
    const entry = this.running.get(jobId);
    if (!entry) return false;
    entry.controller.abort(reason);
    await entry.done;
    return true;
  }

  /** Empties the queue and aborts every running job with `reason`; resolves when all have ended. */
  async abortAll(reason: string): Promise<void> {
    this.waiting.length = 0;
    await Promise.all([...this.running.keys()].map((id) => this.abort(id, reason)));
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.waiting.length > 0) {
      const jobId = this.waiting.shift() as string;
      const controller = new AbortController();
      // The task reports its own failures; the pool only keeps going.
      const done = this.task(jobId, controller.signal)
        .catch(() => undefined)
        .finally(() => {
          this.running.delete(jobId);
          this.pump();
        });
      this.running.set(jobId, { controller, done });
    }
  }
}
