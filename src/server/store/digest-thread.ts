import { Worker } from "node:worker_threads";
import { READ_BUFFER_SHIFT } from "../../fs/read-buffer.js";

/**
 * The thread's code, plain CommonJS run with `eval`, so that it is the same from src/ (under the
 * tests) and dist/. It follows each large upload's file as its bytes reach the disk: told that the
 * bytes up to some position are written, it reads them back (from the page cache) and hashes them.
 * The state per upload mirrors UploadDigests: a session per PATCH, kept when its body ended well.
 * Its read buffer starts READ_BUFFER_SHIFT bytes into its allocation (workerData.shift), for the
 * reason read-buffer.ts gives.
 */
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { openSync, readSync, closeSync } = require("node:fs");
const MAX_KEPT = 1000;
const PIECE = 1024 * 1024;
const buffer = Buffer.allocUnsafeSlow(PIECE + workerData.shift).subarray(workerData.shift);
const kept = new Map();
const sessions = new Map();
function follow(session, to) {
  let fd;
  try {
    fd = openSync(session.file, "r");
    while (session.position < to) {
      const read = readSync(fd, buffer, 0, Math.min(PIECE, to - session.position), session.position);
      if (read === 0) throw new Error("short");
      session.hash.update(buffer.subarray(0, read));
      session.position += read;
    }
  } catch {
    session.hash = undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
parentPort.on("message", (m) => {
  if (m.op === "start") {
    const k = kept.get(m.id);
    const hash = m.offset === 0 ? createHash("sha256") : k && k.offset === m.offset ? k.hash.copy() : undefined;
    sessions.set(m.id, { file: m.file, position: m.offset, hash });
  } else if (m.op === "wrote") {
    const session = sessions.get(m.id);
    if (session && session.hash) follow(session, m.end);
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

/** What the thread is told about one upload, in order. */
export type DigestMessage =
  | { op: "start"; id: string; offset: number; file: string }
  | { op: "wrote"; id: string; end: number }
  | { op: "keep"; id: string; offset: number }
  | { op: "drop"; id: string };

/**
 * A thread that hashes large uploads beside the server's event loop, which then only moves their
 * bytes. In scripts/bench/upload.ts a PATCH of 256 MiB took 0.61 s with the sha256 on the event
 * loop, 0.41 s with none, 0.47 to 0.51 s with it here (the read back from the page cache is cheap).
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
    this.worker = new Worker(SOURCE, { eval: true, workerData: { shift: READ_BUFFER_SHIFT } });
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

  /** The hex digest when the kept one covers exactly `size` bytes, once the thread has caught up; dropped either way. */
  take(id: string, size: number): Promise<string | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(seq, resolve);
      this.worker.postMessage({ op: "take", id, size, seq });
    });
  }

  async close(): Promise<void> {
    this.stop();
    await this.worker.terminate();
  }

  private fail(why: string): void {
    if (this.stopped) return;
    this.stop();
    this.onFail(why);
  }

  /** From now on every digest is unknown; takes under way answer so. */
  private stop(): void {
    this.stopped = true;
    for (const answer of this.waiting.values()) answer(undefined);
    this.waiting.clear();
  }
}
