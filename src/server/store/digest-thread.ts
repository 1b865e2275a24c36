import { Worker } from "node:worker_threads";

/**
 * The thread's code, plain CommonJS run with `eval`, so that it is the same from src/ (under the
 * tests) and dist/. It hashes each large upload's bytes in the order they are written, as they
 * come in memory shared with the server's event loop (the body's batches: see body-writer.ts),
 * and answers each piece once hashed, so its memory can take the body's next bytes. The state per
 * upload mirrors UploadDigests: a session per PATCH, kept when its body ended well.
 */
const SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const MAX_KEPT = 1000;
const kept = new Map();
const sessions = new Map();
parentPort.on("message", (m) => {
  if (m.op === "start") {
    const k = kept.get(m.id);
    const hash = m.offset === 0 ? createHash("sha256") : k && k.offset === m.offset ? k.hash.copy() : undefined;
    sessions.set(m.id, { position: m.offset, hash });
  } else if (m.op === "bytes") {
    const session = sessions.get(m.id);
    if (session && session.hash) {
      session.hash.update(m.bytes);
      session.position += m.bytes.length;
    }
    parentPort.postMessage({ seq: m.seq });
  } else if (m.op === "keep") {
    const session = sessions.get(m.id);
    sessions.delete(m.id);
    kept.delete(m.id);
    if (session && session.hash && session.position === m.offset) {
      kept.set(m.id, { offset: m.offset, hash: session.hash });
      if (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value);
    }
  } else if (m.op === "drop") {
    sessions.delete(m.id);
  } else if (m.op === "take") {
    const k = kept.get(m.id);
    kept.delete(m.id);
    parentPort.postMessage({ seq: m.seq, sha256: k && k.offset === m.size ? k.hash.digest("hex") : undefined });
  }
});
`;

/** What the thread is told about one upload, in order (bytes go through `hash`). */
export type DigestMessage = { op: "start"; id: string; offset: number } | { op: "keep"; id: string; offset: number } | { op: "drop"; id: string };

/**
 * A thread that hashes large uploads beside the server's event loop, which then only moves their
 * bytes. In scripts/bench/upload.ts a PATCH of 256 MiB took 0.61 s with the sha256 on the event
 * loop, 0.41 s with none; here the hashing goes on beside the reading of the body and its writes.
 * Started with the first large upload. When the thread fails, every digest is unknown, and
 * `complete` reads the file from disk as it does after a restart.
 */
export class DigestThread {
  private readonly worker: Worker;
  private stopped = false;
  private seq = 0;
  private readonly waiting = new Map<number, (sha256: string | undefined) => void>();

  /** `onFail` is told, once, why a thread that was not closed stopped. */
  constructor(private readonly onFail: (why: string) => void = () => undefined) {
    this.worker = new Worker(SOURCE, { eval: true });
    this.worker.unref();
    this.worker.on("message", ({ seq, sha256 }: { seq: number; sha256?: string }) => {
      this.waiting.get(seq)?.(sha256);
      this.waiting.delete(seq);
    });
    this.worker.on("error", (error) => this.fail(error.message));
    this.worker.on("exit", (code) => this.fail(`it exited with code ${code}`));
  }

  /** It stopped (failed or closed): every digest it held is unknown. */
  get failed(): boolean {
    return this.stopped;
  }

  post(message: DigestMessage): void {
    if (!this.stopped) this.worker.postMessage(message);
  }

  /**
   * The upload's next bytes: settles once they are hashed (or the thread stopped), and the memory
   * may be used again. Bytes in shared memory (a SharedArrayBuffer's) go as they are; others are
   * copied first (the thread would otherwise be sent all of the memory they are part of).
   */
  hash(id: string, bytes: Buffer): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const shared = bytes.buffer instanceof SharedArrayBuffer;
    const sent = shared ? bytes : new Uint8Array(bytes);
    return this.ask({ op: "bytes", id, bytes: sent }, shared ? [] : [sent.buffer as ArrayBuffer]).then(() => undefined);
  }

  /** The hex digest when the kept one covers exactly `size` bytes, once the thread has caught up; dropped either way. */
  take(id: string, size: number): Promise<string | undefined> {
    return this.ask({ op: "take", id, size }, []);
  }

  async close(): Promise<void> {
    this.stop();
    await this.worker.terminate();
  }

  /** Posts a message that the thread answers, by its sequence number. */
  private ask(message: Record<string, unknown>, transfer: ArrayBuffer[]): Promise<string | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(seq, resolve);
      this.worker.postMessage({ ...message, seq }, transfer);
    });
  }

  private fail(why: string): void {
    if (this.stopped) return;
    this.stop();
    this.onFail(why);
  }

  /** From now on every digest is unknown; questions under way are answered so. */
  private stop(): void {
    this.stopped = true;
    for (const answer of this.waiting.values()) answer(undefined);
    this.waiting.clear();
  }
}
