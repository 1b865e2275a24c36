/**
 * The run's progress as state.txt tells it, and the incremental reader of that
 * growing file. The file is never read whole again: each call reads what was
 * appended since the last one, by byte offset.
 */
import { open, type FileHandle } from "node:fs/promises";
import type { StateUpdate } from "./state-line.js";
import { readBuffer } from "../fs/read-buffer.js";

export interface ProgressState {
  progress: number;
  label: string;
  /** Sticky: a failed step or an error word marks the run `error` at its end, even if the solver exits 0. */
  stepFailed: boolean;
  /** The label of the first error line: the cause, rather than what followed from it. */
  errorLabel?: string;
  /** Updates applied so far. */
  lines: number;
}

export function initialProgressState(): ProgressState {
  return { progress: 0, label: "", stepFailed: false, lines: 0 };
}

/**
 * Pure. Progress moves only when the update has one. A step "finished" is not the
 * run's end (protocol.md): only the solver's exit and post-processing end the run,
 * so the state holds no "finished" at all.
 */
export function applyStateUpdate(state: ProgressState, update: StateUpdate): ProgressState {
  const next: ProgressState = {
    ...state,
    progress: update.progress ?? state.progress,
    label: update.label,
    lines: state.lines + 1,
  };
  if (update.isError || update.stepStatus === "failed") {
    next.stepFailed = true;
    next.errorLabel = state.errorLabel ?? update.label;
  }
  return next;
}

export interface StateFileReaderOptions {
  /**
   * A line longer than this (bytes) is returned in pieces of this size, cut at a
   * character boundary, so a solver writing without newlines cannot grow memory.
   * Default 1 MiB.
   */
  maxLineBytes?: number;
}

export interface ReadNewLinesOptions {
  /** The writer is done: a last line without a newline is returned too. */
  final?: boolean;
  /** Bytes read per call. Default 4 MiB. */
  maxBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

export class StateFileReader {
  readonly #path: string;
  readonly #maxLineBytes: number;
  #offset = 0;
  #ino: number | undefined;
  /** Bytes after the last line ending: the line still being written. */
  #partial: Buffer = EMPTY;
  /** Calls run one after the other, so overlapping callers never read the same bytes twice. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string, options: StateFileReaderOptions = {}) {
    this.#path = path;
    this.#maxLineBytes = checkSize("maxLineBytes", options.maxLineBytes, 1024 * 1024);
  }

  /**
   * The complete lines appended since the last call, without their line endings
   * (LF, CRLF or a lone CR, as Python's universal newlines read them). Returns []
   * only when nothing more can be read now, so callers loop until []. A call
   * reads maxBytes, and more only while no line is complete yet.
   */
  readNewLines(options: ReadNewLinesOptions = {}): Promise<string[]> {
    const maxBytes = checkSize("maxBytes", options.maxBytes, 4 * 1024 * 1024);
    const run = this.#queue.then(() => this.#read(options.final === true, maxBytes));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Starts reading at the current end of the file: what an earlier run in the
   * same work directory left there is history, not this run's progress. A
   * missing file changes nothing; a file later rewritten is still read from its start.
   */
  skipExisting(): Promise<void> {
    const run = this.#queue.then(() => this.#skip());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #skip(): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(this.#path, "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      return;
    }
    try {
      const stat = await handle.stat();
      this.#offset = stat.size;
      this.#ino = stat.ino;
      this.#partial = EMPTY;
    } finally {
      await handle.close();
    }
  }

  async #read(final: boolean, maxBytes: number): Promise<string[]> {
    let handle: FileHandle;
    try {
      handle = await open(this.#path, "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      return final ? this.#flush() : [];
    }
    try {
      const stat = await handle.stat();
      if (stat.size < this.#offset || (this.#ino !== undefined && stat.ino !== this.#ino)) {
        // Rewritten or replaced: read the new content from its start.
        this.#offset = 0;
        this.#partial = EMPTY;
      }
      this.#ino = stat.ino;

      const lines: string[] = [];
      while (lines.length === 0 && this.#offset < stat.size) {
        const chunk = readBuffer(Math.min(maxBytes, stat.size - this.#offset));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, this.#offset);
        if (bytesRead === 0) break; // truncated under us; the next call sees the new size
        this.#offset += bytesRead;
        this.#take(chunk.subarray(0, bytesRead), lines);
      }
      if (final && this.#offset >= stat.size) lines.push(...this.#flush());
      return lines;
    } finally {
      await handle.close();
    }
  }

  /** Splits complete lines off the held bytes plus `chunk`; the rest stays held. */
  #take(chunk: Buffer, lines: string[]): void {
    const data = this.#partial.length > 0 ? Buffer.concat([this.#partial, chunk]) : chunk;
    // A line ends at LF, or at CR unless CR is the last byte (its LF may be next).
    // Neither byte occurs inside a multibyte UTF-8 sequence, so cutting here never
    // splits a character.
    let end = data.lastIndexOf(LF) + 1;
    // (A negative start would count from the end, so a one-byte chunk skips the CR search.)
    const lastCr = data.length >= 2 ? data.lastIndexOf(CR, data.length - 2) : -1;
    if (lastCr >= end) end = lastCr + 1;
    // A complete line is cut as an unfinished one is: one read may hold a line past the bound.
    for (const line of rawLines(data.subarray(0, end))) {
      const { pieces, rest } = this.#cut(line);
      lines.push(...pieces, rest.toString("utf8"));
    }
    const { pieces, rest } = this.#cut(data.subarray(end));
    lines.push(...pieces);
    // A copy, so a held line does not keep the whole chunk alive.
    this.#partial = Buffer.from(rest);
  }

  /** `raw` cut at character boundaries into lines of at most maxLineBytes, and what is left (at most that long). */
  #cut(raw: Buffer): { pieces: string[]; rest: Buffer } {
    const pieces: string[] = [];
    let rest = raw;
    while (rest.length > this.#maxLineBytes) {
      const cut = characterBoundary(rest, this.#maxLineBytes);
      pieces.push(rest.toString("utf8", 0, cut));
      rest = rest.subarray(cut);
    }
    return { pieces, rest };
  }

  #flush(): string[] {
    const rest = this.#partial;
    this.#partial = EMPTY;
    if (rest.length === 0) return [];
    return rawLines(rest).map((line) => line.toString("utf8"));
  }
}

/**
 * The lines of `data` as bytes: a line ends at CR LF, CR or LF, and a last line ending closes the
 * last line (no empty line after it). CR and LF never occur inside a UTF-8 sequence, so each line
 * decodes as it would within the whole.
 */
function rawLines(data: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c !== LF && c !== CR) continue;
    lines.push(data.subarray(start, i));
    if (c === CR && data[i + 1] === LF) i++;
    start = i + 1;
  }
  if (start < data.length) lines.push(data.subarray(start));
  return lines;
}

/** The largest cut ≤ limit that does not fall inside a UTF-8 sequence (limit ≥ 4 keeps it > 0). */
function characterBoundary(data: Buffer, limit: number): number {
  let cut = limit;
  // Continuation bytes are 10xxxxxx; back off to the lead byte of the character.
  while (cut > 0 && ((data[cut] ?? 0) & 0xc0) === 0x80) cut -= 1;
  return cut > 0 ? cut : limit;
}

function checkSize(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 4) {
    throw new RangeError(`StateFileReader: "${name}" must be an integer of at least 4 bytes (got ${String(value)})`);
  }
  return value;
}
