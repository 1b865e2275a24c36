import { LineSplitter } from "../../process/line-splitter.js";
import { logFrames } from "./sse-frame.js";

/**
 * A growing log's bytes into `event: log` frames, as they are read. The runner's own splitter cuts
 * on "\n" before decoding, so a read that ends inside a line (or a character) keeps that part until
 * the rest comes; only `end()`, at the end of the log, lets a last line without a newline go.
 */
export class LogFramer {
  #lines: string[] = [];
  readonly #splitter: LineSplitter;

  constructor(maxLineBytes?: number) {
    this.#splitter = new LineSplitter((line) => this.#lines.push(line), maxLineBytes === undefined ? {} : { maxLineBytes });
  }

  push(bytes: Uint8Array): string[] {
    this.#splitter.push(bytes);
    return this.#frames();
  }

  end(): string[] {
    this.#splitter.end();
    return this.#frames();
  }

  #frames(): string[] {
    const frames = logFrames(this.#lines);
    this.#lines = [];
    return frames;
  }
}
