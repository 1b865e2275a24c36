/**
 * The last lines of a log, read backwards from its end in chunks: a solver's log may be gigabytes and the
 * report wants two hundred lines of it. What is read is bounded too, so one endless line costs no more.
 */
import { open } from "node:fs/promises";

export interface LogTail {
  lines: string[];
  /** The file holds more than these lines. */
  more: boolean;
}

export interface LogTailOptions {
  /** A longer line is cut to this many characters and marked with "…" (default 4096). */
  maxLineChars?: number;
  /** Bytes read per step backwards (default 64 KiB). */
  chunkBytes?: number;
}

const NEWLINE = 0x0a;

/** A missing file is an empty tail: a run that failed early has no log. */
export async function readLastLines(path: string, count: number, options: LogTailOptions = {}): Promise<LogTail> {
  const maxLineChars = options.maxLineChars ?? 4096;
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  // Four bytes per character at most in UTF-8, and a newline per line.
  const maxBytes = count * (maxLineChars * 4 + 1) + 1;
  if (count <= 0) return { lines: [], more: false };
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { lines: [], more: false };
    throw error;
  }
  try {
    const size = (await handle.stat()).size;
    const chunks: Buffer[] = [];
    let start = size;
    let newlines = 0;
    // count + 1 newlines: the one ending the last line, and one before the first line we keep.
    while (start > 0 && newlines <= count && size - start < maxBytes) {
      const length = Math.min(chunkBytes, start);
      start -= length;
      const chunk = Buffer.alloc(length);
      const { bytesRead } = await handle.read(chunk, 0, length, start);
      const got = chunk.subarray(0, bytesRead);
      for (const byte of got) if (byte === NEWLINE) newlines++;
      chunks.unshift(got);
    }
    return splitTail(Buffer.concat(chunks), start > 0, count, maxLineChars);
  } finally {
    await handle.close();
  }
}

function splitTail(bytes: Buffer, startsMidFile: boolean, count: number, maxLineChars: number): LogTail {
  const lines = bytes.toString("utf8").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const clean = (line: string): string => (line.endsWith("\r") ? line.slice(0, -1) : line);
  const head: string[] = [];
  if (startsMidFile) {
    // What we read starts inside a line. Normally it is one more than we need; but when the byte bound
    // stopped us first, its end is all there is to show of a line too long to read whole.
    const partial = clean(lines.shift() ?? "");
    if (lines.length < count) head.push(`…${partial.slice(-maxLineChars)}`);
  }
  const kept = lines.slice(Math.max(0, lines.length - (count - head.length))).map((line) => {
    const text = clean(line);
    return text.length > maxLineChars ? `${text.slice(0, maxLineChars)}…` : text;
  });
  return { lines: [...head, ...kept], more: startsMidFile || lines.length > kept.length };
}
