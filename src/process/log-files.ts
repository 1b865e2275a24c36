import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { SolverError } from "../errors.js";

/**
 * The files the solver's output is appended to, written together.
 *
 * `write` says, as `stream.write` does, whether the caller should wait for
 * `drained()` before writing more: that is what keeps memory flat when the
 * solver prints faster than the disk takes it.
 */
export class LogFiles {
  readonly #files: { path: string; stream: WriteStream }[];
  readonly #failed = new Set<WriteStream>();
  #closing: Promise<void> | undefined;

  private constructor(files: { path: string; stream: WriteStream }[]) {
    this.#files = files;
  }

  /**
   * Opens (creating, appending) every file before the solver starts, so that a
   * log that cannot be written is reported up front rather than lost midway.
   * A file that fails later is dropped and reported through `onError`.
   */
  static async open(paths: readonly string[], onError?: (error: Error, path: string) => void): Promise<LogFiles> {
    const files: { path: string; stream: WriteStream }[] = [];
    try {
      for (const path of paths) {
        const stream = createWriteStream(path, { flags: "a" });
        files.push({ path, stream });
        await once(stream, "open");
      }
    } catch (error) {
      for (const { stream } of files) stream.destroy();
      const path = files[files.length - 1]?.path;
      throw new SolverError(`cannot open the solver log ${path}: ${(error as Error).message}`, { cause: error });
    }
    const logs = new LogFiles(files);
    for (const { path, stream } of files) {
      stream.on("error", (error) => {
        logs.#failed.add(stream);
        onError?.(error, path);
      });
    }
    return logs;
  }

  /** false: wait for `drained()` before the next write. */
  write(text: string): boolean {
    let ready = true;
    for (const { stream } of this.#live()) {
      if (!stream.write(text)) ready = false;
    }
    return ready;
  }

  /** Resolves when every file has taken what it was given (a failed file counts as drained). */
  async drained(): Promise<void> {
    await Promise.all(
      this.#live()
        .filter(({ stream }) => stream.writableNeedDrain)
        .map(({ stream }) => eitherEvent(stream, "drain", "close")),
    );
  }

  /** Flushes and closes every file. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= Promise.all(
      this.#files.map(({ stream }) => {
        if (stream.closed) return undefined;
        const closed = once(stream, "close").then(
          () => undefined,
          () => undefined,
        );
        stream.end();
        return closed;
      }),
    ).then(() => undefined);
    return this.#closing;
  }

  #live(): { path: string; stream: WriteStream }[] {
    return this.#files.filter(({ stream }) => !this.#failed.has(stream) && !stream.destroyed);
  }
}

function eitherEvent(stream: WriteStream, first: string, second: string): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off(first, done);
      stream.off(second, done);
      resolve();
    };
    stream.on(first, done);
    stream.on(second, done);
  });
}
