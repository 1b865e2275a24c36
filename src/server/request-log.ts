import { createWriteStream, type WriteStream } from "node:fs";
import type { Fault } from "./faults.js";

/** One line of `DATA/requests.jsonl`. Never a header value, never a query string, never the token. */
export interface RequestLogLine {
  at: string;
  method: string;
  path: string;
  /** 0 when no answer was sent (a dropped connection, a client gone). */
  status: number;
  ms: number;
  fault?: Fault;
}

export class RequestLog {
  private readonly stream: WriteStream;

  constructor(file: string, onError: (message: string) => void) {
    this.stream = createWriteStream(file, { flags: "a" });
    this.stream.on("error", (error) => onError(`request log: ${error.message}`));
  }

  write(line: RequestLogLine): void {
    if (!this.stream.writableEnded) this.stream.write(`${JSON.stringify(line)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}
