import { badRequest, type HttpError } from "../http/http-error.js";
import { segmentProblem } from "../store/safe-segment.js";

export type JsonObject = Record<string, unknown>;

/**
 * Checks the fields of one request payload; every refusal is a 400 that names the call and the
 * field: `storage/append: "metadata.project" must be a string (got number)`.
 */
export class FieldCheck {
  constructor(
    readonly call: string,
    private readonly prefix = "",
  ) {}

  /** The checker for the object under `key`, naming its fields `key.field`. */
  within(key: string): FieldCheck {
    return new FieldCheck(this.call, `${this.prefix}${key}.`);
  }

  fail(key: string, problem: string): HttpError {
    return badRequest(`${this.call}: "${this.prefix}${key}" ${problem}`);
  }

  /** The whole payload (or a field already taken out) as an object. */
  root(value: unknown, what: string): JsonObject {
    if (!isObject(value)) throw badRequest(`${this.call}: ${what} must be a JSON object (got ${kindOf(value)})`);
    return value;
  }

  object(from: JsonObject, key: string): JsonObject {
    const value = from[key];
    if (!isObject(value)) throw this.fail(key, `must be an object (got ${kindOf(value)})`);
    return value;
  }

  string(from: JsonObject, key: string): string {
    const value = from[key];
    if (typeof value !== "string") throw this.fail(key, `must be a string (got ${kindOf(value)})`);
    return value;
  }

  optionalString(from: JsonObject, key: string): string | undefined {
    return from[key] === undefined ? undefined : this.string(from, key);
  }

  boolean(from: JsonObject, key: string): boolean {
    const value = from[key];
    if (typeof value !== "boolean") throw this.fail(key, `must be true or false (got ${kindOf(value)})`);
    return value;
  }

  integer(from: JsonObject, key: string, min = 0): number {
    const value = from[key];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
      throw this.fail(key, `must be an integer ≥ ${min} (got ${JSON.stringify(value) ?? "nothing"})`);
    }
    return value;
  }

  /** A string that becomes a path segment under DATA. */
  segment(from: JsonObject, key: string): string {
    const problem = segmentProblem(from[key]);
    if (problem !== undefined) throw this.fail(key, problem);
    return from[key] as string;
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function kindOf(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}
