import { randomBytes } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { duration } from "./failure-reason.js";

export type DownloadProgress = (bytes: number, total?: number) => void;

export interface WriteDownloadOptions {
  /** Content-Length, when the platform gave one for the bytes as sent. */
  expectedBytes?: number;
  onProgress?: DownloadProgress;
  /** The longest wait for the next bytes. */
  stallMs: number;
}

/**
 * Streams an answer body into a temporary file next to `destPath` and renames it into place
 * once complete, so `destPath` never holds a partial file. On failure the temporary file is
 * removed; a retry starts a new one.
 */
export async function writeDownload(source: Readable, destPath: string, options: WriteDownloadOptions): Promise<{ bytes: number }> {
  const { expectedBytes, onProgress, stallMs } = options;
  const dir = path.dirname(destPath);
  const temp = path.join(dir, `.${path.basename(destPath)}.${randomBytes(4).toString("hex")}.part`);

  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      armStallTimer();
      onProgress?.(bytes, expectedBytes);
      done(null, chunk);
    },
  });
  function armStallTimer() {
    clearTimeout(timer);
    timer = setTimeout(() => counter.destroy(stalled(stallMs, bytes)), stallMs);
  }

  let sink: WriteStream | undefined;
  try {
    await mkdir(dir, { recursive: true });
    armStallTimer();
    sink = createWriteStream(temp, { flags: "wx" });
    await pipeline(source, counter, sink);
    if (expectedBytes !== undefined && bytes !== expectedBytes) {
      throw Object.assign(new Error(`the download ended after ${bytes} of ${expectedBytes} bytes`), {
        code: "ERR_STREAM_PREMATURE_CLOSE",
      });
    }
    await rename(temp, destPath);
    return { bytes };
  } catch (error) {
    source.destroy();
    // A body cut off early can fail the pipeline before the file is even open: wait until the
    // write stream has closed, or the file it opens afterwards would outlive the removal.
    if (sink && !sink.closed) {
      const closed = new Promise<void>((resolve) => sink?.once("close", () => resolve()));
      sink.destroy();
      await closed;
    }
    await rm(temp, { force: true });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function stalled(ms: number, bytes: number): Error {
  return Object.assign(
    new Error(`the download stalled after ${bytes} bytes: no data for ${duration(ms)} (response timeout; option responseTimeoutMs)`),
    { code: "ETIMEDOUT" },
  );
}
