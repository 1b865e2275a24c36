/**
 * One line of outputs/state.txt as a status update. Two forms may be mixed in
 * one file (protocol.md, "state.txt"): CSV `timestamp,progress,message,step,status`
 * and free text, where the progress figure and the completion or error words are
 * read out of the line.
 */
import { parseCsvLine } from "../text/csv-record.js";

export type StepStatus = "pending" | "running" | "finished" | "failed";

export interface StateUpdate {
  /** 0–100 (clamped), when the line has one. */
  progress?: number;
  /** CSV: the message field; free text: the trimmed line. */
  label: string;
  /** CSV: the step field. */
  step?: string;
  /** The CSV status field, or from free-text words. A step's "finished" is not the run's end. */
  stepStatus?: StepStatus;
  /** A "failed" step or an error word. */
  isError: boolean;
  /** The CSV timestamp as written. */
  timestamp?: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?$/i;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?%?$/i;
const HEADER = ["timestamp", "progress", "message", "step", "status"];
const STEP_STATUSES: readonly string[] = ["pending", "running", "finished", "failed"];

// \b is ASCII-only in JS regexes, which is what is wanted here: "terror" and
// "my_error" do not hold the word "error".
const ERROR_WORDS = /\b(?:errors?|failed|abort(?:ed)?|crash(?:ed)?)\b/i;
const COMPLETION_WORDS = /\b(?:finished|completed|done|success)\b/i;
// Not preceded by a digit or a dot, so "v1.2.50%" does not yield 2.50; nor by a sign: "-5%" and
// "+5%" are changes of something, not how far the run is.
const PERCENT = /(?<![\d.+-])(\d+(?:\.\d+)?|\.\d+)\s*(?:%|percent\b)/gi;

/** The update a state.txt line carries; undefined for a blank line or the CSV header. */
export function parseStateLine(line: string): StateUpdate | undefined {
  const text = line.replace(/\r?\n$/, "");
  if (text.trim() === "") return undefined;

  const fields = parseCsvLine(text).map((field) => field.trim());
  if (isHeader(fields)) return undefined;

  const [timestamp, progress, message] = fields;
  if (
    timestamp !== undefined &&
    progress !== undefined &&
    message !== undefined &&
    TIMESTAMP.test(timestamp) &&
    NUMBER.test(progress)
  ) {
    return csvUpdate(timestamp, Number.parseFloat(progress), message, fields[3], fields[4]);
  }
  return freeTextUpdate(text.trim());
}

function isHeader(fields: string[]): boolean {
  if (fields.length < 3 || fields.length > HEADER.length) return false;
  return fields.every((field, i) => field.toLowerCase() === HEADER[i]);
}

function csvUpdate(
  timestamp: string,
  progress: number,
  message: string,
  step: string | undefined,
  status: string | undefined,
): StateUpdate {
  const update: StateUpdate = { timestamp, progress: clamp(progress), label: message, isError: false };
  if (step) update.step = step;
  // The status field decides when there is one; without it, the message's words do.
  const stepStatus = status ? statusFromField(status) : statusFromWords(message);
  if (stepStatus) update.stepStatus = stepStatus;
  update.isError = stepStatus === "failed";
  return update;
}

/** One of the four statuses; other words are classified like free text ("error" → failed, "done" → finished). */
function statusFromField(status: string): StepStatus | undefined {
  const lower = status.toLowerCase();
  if (STEP_STATUSES.includes(lower)) return lower as StepStatus;
  return statusFromWords(lower);
}

function statusFromWords(text: string): StepStatus | undefined {
  // An error word wins over a completion word: "done with errors" is a failure.
  if (ERROR_WORDS.test(text)) return "failed";
  if (COMPLETION_WORDS.test(text)) return "finished";
  return undefined;
}

function freeTextUpdate(label: string): StateUpdate {
  const update: StateUpdate = { label, isError: false };
  let last: string | undefined;
  for (const match of label.matchAll(PERCENT)) last = match[1];
  if (last !== undefined) update.progress = clamp(Number.parseFloat(last));
  const stepStatus = statusFromWords(label);
  if (stepStatus) update.stepStatus = stepStatus;
  update.isError = stepStatus === "failed";
  return update;
}

function clamp(progress: number): number {
  if (!Number.isFinite(progress)) return progress > 0 ? 100 : 0;
  return Math.min(100, Math.max(0, progress));
}
