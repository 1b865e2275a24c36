import { closeSync, openSync, writeSync } from "node:fs";
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

/**
 * `DATA/requests.jsonl`, a line per answered request, appended synchronously as each request ends:
 * one short system call, where an asynchronous stream cost three times the CPU per line on the
 * machines measured (scripts/bench/many-files.ts), and nothing is left in a buffer when the
 * server dies. A failed write is reported once and the log stops; the server goes on.
 */
export class RequestLog {
  private fd: number | undefined;

  constructor(
    file: string,
    private readonly onError: (message: string) => void,
  ) {
    try {
      this.fd = openSync(file, "a");
    } catch (error) {
      this.fail(error);
    }
  }

  write(line: RequestLogLine): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, `${JSON.stringify(line)}\n`);
    } catch (error) {
      this.fail(error);
    }
  }

  async close(): Promise<void> {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }

  private fail(error: unknown): void {
    this.onError(`request log: ${error instanceof Error ? error.message : String(error)}`);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
