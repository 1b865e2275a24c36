import { oneLine } from "./failure-reason.js";

/**
 * An answer the runner cannot use (not JSON, a field missing or of the wrong type).
 * call() turns it into a PlatformCallError that names the call.
 */
export class BadAnswer extends Error {
  /** The status to report, when the status itself is the trouble (a 409, a 422). */
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

export interface TextAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** The answer's JSON, or a BadAnswer saying what came instead. */
export function parseJsonAnswer(answer: TextAnswer): unknown {
  const { status, contentType, text } = answer;
  const start = text.trimStart();
  if (/html/i.test(contentType) || start.startsWith("<")) {
    throw new BadAnswer(
      `the platform answered ${status} with ${contentType.split(";")[0] || "HTML"} instead of JSON; ` +
        `is "host" the platform's API address? The answer began: ${oneLine(text, 120)}`,
    );
  }
  if (!start) throw new BadAnswer(`the platform answered ${status} with an empty body instead of JSON`);
  try {
    return JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new BadAnswer(
      `the platform answered ${status} with JSON that does not parse (${why}); was the answer cut off? ` +
        `It ended: …${oneLine(text.slice(-80), 80)}`,
    );
  }
}

export function asObject(value: unknown, where: string): Record<string, unknown> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  throw wrong(where, "an object", value);
}

export function asArray(value: unknown, where: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw wrong(where, "an array", value);
}

export function asString(value: unknown, where: string): string {
  if (typeof value === "string") return value;
  throw wrong(where, "a string", value);
}

/** A byte count or offset. */
export function asCount(value: unknown, where: string): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  throw wrong(where, "a whole number of at least 0", value);
}

export function asOptionalString(value: unknown, where: string): string | null | undefined {
  if (value === undefined || value === null) return value;
  return asString(value, where);
}

function wrong(where: string, expected: string, value: unknown): BadAnswer {
  return new BadAnswer(`the platform's answer is not what the runner needs: "${where}" must be ${expected} (got ${describe(value)})`);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return JSON.stringify(oneLine(value, 40));
  return String(value);
}
