import type { PlatformClient } from "./client.js";
import { setRunStatus, upsertEntry } from "./run-node.js";
import type { RunNode, RunNodeSlug, RunStatus, TreeNode } from "./types.js";

export interface RunReporterOptions {
  client: Pick<PlatformClient, "updateRun">;
  simulation: string;
  node: RunNode;
  /** Least time between two updates (default 1 s); the latest state is always sent in the end. */
  intervalMs: number;
  warn: (message: string) => void;
  /** Told of every status sent (socket.io relays it). */
  onStatus?: (status: RunStatus, progress: number, label: string) => void;
  /** Told after each update the platform accepted, with the node as sent. */
  onSent?: (node: RunNode) => void;
}

/**
 * Keeps the run node as the platform's tree and sends it whole with every update: at most one
 * update per interval, the latest state always sent, one request at a time so they arrive in order.
 */
export class RunReporter {
  private lastSent = 0;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  /** A send failed and none has gone through since: its warning has been given. */
  private failing = false;
  private extras: Record<string, unknown> | undefined;
  private sending: Promise<void> = Promise.resolve();
  private readonly entryIndex = new Map<RunNodeSlug, Map<string, number>>();

  constructor(private readonly options: RunReporterOptions) {}

  get node(): RunNode {
    return this.options.node;
  }

  status(status: RunStatus, progress: number, label: string): void {
    setRunStatus(this.node, status, progress, label);
    this.options.onStatus?.(status, this.node.progress ?? progress, label);
    this.schedule();
  }

  addEntry(slug: RunNodeSlug, entry: TreeNode & { id: string }): void {
    let index = this.entryIndex.get(slug);
    if (!index) this.entryIndex.set(slug, (index = new Map()));
    upsertEntry(this.node, slug, entry, index);
    this.schedule();
  }

  addExtras(extras: Record<string, unknown>): void {
    this.extras = { ...this.extras, ...extras };
    this.schedule();
  }

  /** Sends what is pending now and waits for it. Failures throw (the final status must not be lost silently). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.sending.catch(() => undefined);
    // A send that failed meanwhile has set its own retry: this one takes its place.
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty) await this.send(true);
  }

  /** The final update: `finished` 100, or `error` with the reason; then everything pending is sent. */
  async finish(status: "finished" | "error", label: string): Promise<void> {
    setRunStatus(this.node, status, status === "finished" ? 100 : (this.node.progress ?? 0), label);
    this.options.onStatus?.(status, this.node.progress ?? 0, label);
    this.dirty = true;
    await this.flush();
  }

  private schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    const wait = Math.max(0, this.lastSent + this.options.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.send(false);
    }, wait);
  }

  private send(throwOnError: boolean): Promise<void> {
    this.dirty = false;
    this.lastSent = Date.now();
    // A snapshot: the node keeps changing while the request is under way.
    const body = { node: structuredClone(this.node), ...(this.extras ? { extras: this.extras } : {}) };
    const attempt = this.sending
      .catch(() => undefined)
      .then(() => this.options.client.updateRun(this.options.simulation, this.node.id, body))
      .then(() => {
        this.failing = false;
        this.options.onSent?.(body.node);
      });
    this.sending = attempt.catch((error: unknown) => {
      this.dirty = true;
      if (throwOnError) return;
      // Once per outage: a platform down for minutes would otherwise leave a warning a send.
      if (!this.failing) this.options.warn(`run status not sent yet (${error instanceof Error ? error.message : String(error)}); it is sent again until the platform takes it`);
      this.failing = true;
      // Again after the interval, not only at the next change: new children would stay hidden meanwhile.
      this.schedule();
    });
    return throwOnError ? attempt : this.sending;
  }
}
