import type { Readable } from "node:stream";
import { redact } from "../log/redact.js";
import { LastLines } from "./last-lines.js";
import { LineSplitter } from "./line-splitter.js";
import type { LogFiles } from "./log-files.js";

export type OutputStreamName = "stdout" | "stderr";

export interface OutputPumpOptions {
  streams: { name: OutputStreamName; stream: Readable }[];
  logs: LogFiles;
  onLine?: ((line: string, stream: OutputStreamName) => void) | undefined;
  tailLines: number;
  /** Replaced by *** in every line before it is kept anywhere (a solver may print its config). */
  secrets?: readonly string[];
}

/**
 * Reads the solver's stdout and stderr as they come, line by line, into the
 * log files, the `onLine` callback and the tail kept for the error summary.
 *
 * When a log file asks to wait, both pipes are paused: the kernel's pipe
 * buffer then fills and the solver waits on its own write, so nothing piles
 * up in the runner. A pipe is never left unread otherwise, which is what
 * blocked the Python runner's solvers past 64 KiB.
 */
export class OutputPump {
  readonly #streams: { name: OutputStreamName; stream: Readable }[];
  readonly #logs: LogFiles;
  readonly #onLine: OutputPumpOptions["onLine"];
  readonly #tail: LastLines;
  readonly #secrets: readonly string[];
  readonly #closed: Promise<void>;
  #batch = "";
  #waitingForDrain = false;
  #lastActivity = performance.now();

  /** Attach at once, in the same tick as the spawn, so no output is read by anyone else first. */
  constructor({ streams, logs, onLine, tailLines, secrets = [] }: OutputPumpOptions) {
    this.#streams = streams;
    this.#secrets = secrets;
    this.#logs = logs;
    this.#onLine = onLine;
    this.#tail = new LastLines(tailLines);
    this.#closed = Promise.all(streams.map(({ name, stream }) => this.#pump(name, stream))).then(() => undefined);
  }

  get lastLines(): string[] {
    return this.#tail.toArray();
  }

  /**
   * Resolves once both pipes are closed and their lines handed to the log files.
   * A pipe can outlive the solver's process group, held open by a process that
   * left it (setsid, a daemon): after `idleMs` without output it is given up.
   */
  async finish(idleMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const arm = (delay: number): void => {
      timer = setTimeout(() => {
        const idle = performance.now() - this.#lastActivity;
        if (this.#waitingForDrain || idle < idleMs) {
          arm(this.#waitingForDrain ? idleMs : idleMs - idle);
          return;
        }
        for (const { stream } of this.#streams) stream.destroy();
      }, delay);
    };
    arm(idleMs);
    try {
      await this.#closed;
    } finally {
      clearTimeout(timer);
    }
  }

  #pump(name: OutputStreamName, stream: Readable): Promise<void> {
    const splitter = new LineSplitter((line) => this.#line(line, name));
    return new Promise((resolve) => {
      stream.on("data", (chunk: Buffer | string) => {
        this.#lastActivity = performance.now();
        splitter.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
        this.#flush();
      });
      // A read error on a pipe (EIO) ends it like EOF; 'close' follows.
      stream.on("error", () => undefined);
      stream.once("close", () => {
        splitter.end();
        this.#flush();
        resolve();
      });
    });
  }

  #line(raw: string, name: OutputStreamName): void {
    const line = this.#secrets.length ? redact(raw, this.#secrets) : raw;
    this.#tail.push(line);
    this.#batch += `${line}\n`;
    if (this.#onLine) {
      try {
        this.#onLine(line, name);
      } catch {
        // A failing observer must not stop the output from reaching the logs.
      }
    }
  }

  /** One write per chunk read, not per line: a chunk is at most a pipe buffer's worth. */
  #flush(): void {
    if (this.#batch === "") return;
    const ready = this.#logs.write(this.#batch);
    this.#batch = "";
    if (!ready) this.#pauseUntilDrained();
  }

  #pauseUntilDrained(): void {
    if (this.#waitingForDrain) return;
    this.#waitingForDrain = true;
    for (const { stream } of this.#streams) stream.pause();
    void this.#logs.drained().then(() => {
      this.#waitingForDrain = false;
      this.#lastActivity = performance.now();
      for (const { stream } of this.#streams) stream.resume();
    });
  }
}
