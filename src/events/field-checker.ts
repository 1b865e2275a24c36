/** What a validator returns: the typed payload, or every problem found, each naming its field. */
export type Validation<T> = { ok: true; data: T } | { ok: false; problems: string[] };

export type Validator<T> = (value: unknown) => Validation<T>;

interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
}

/**
 * Reads the fields of one JSON object and collects what is wrong with them, so that a bad payload
 * is reported whole ("runId" missing, "progress" 140) instead of one field at a time. Getters
 * return a placeholder after a problem; `result()` refuses the data whenever there was one.
 */
export class FieldChecker {
  readonly problems: string[] = [];
  private readonly fields: Record<string, unknown>;
  /** Not an object: that one problem says it all, the fields' own would be noise. */
  private readonly silent: boolean;

  constructor(
    value: unknown,
    private readonly prefix = "",
  ) {
    this.silent = !isObject(value);
    this.fields = isObject(value) ? value : {};
    const what = prefix ? `"${prefix}"` : "the payload";
    if (value === undefined && prefix) this.problems.push(`${what} is missing; it must be an object`);
    else if (this.silent) this.problems.push(`${what} must be a JSON object (got ${describe(value)})`);
  }

  string(name: string): string {
    const v = this.fields[name];
    if (typeof v === "string" && v !== "") return v;
    this.problem(name, "a non-empty string", v);
    return "";
  }

  /** A string that may be empty (labels, messages). */
  text(name: string): string {
    const v = this.fields[name];
    if (typeof v === "string") return v;
    this.problem(name, "a string", v);
    return "";
  }

  optionalString(name: string): string | undefined {
    return this.fields[name] === undefined ? undefined : this.string(name);
  }

  number(name: string, rule: NumberRule = {}): number {
    const v = this.fields[name];
    const ok =
      typeof v === "number" &&
      Number.isFinite(v) &&
      (rule.min === undefined || v >= rule.min) &&
      (rule.max === undefined || v <= rule.max) &&
      (!rule.integer || Number.isInteger(v));
    if (ok) return v;
    this.problem(name, numberWanted(rule), v);
    return 0;
  }

  optionalNumber(name: string, rule: NumberRule = {}): number | undefined {
    return this.fields[name] === undefined ? undefined : this.number(name, rule);
  }

  /** An ISO 8601 time such as new Date().toISOString() writes. */
  time(name: string): string {
    const v = this.fields[name];
    if (typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v) && !Number.isNaN(Date.parse(v))) return v;
    this.problem(name, 'an ISO 8601 time such as "2026-01-31T12:00:00.000Z"', v);
    return "";
  }

  oneOf<V extends string>(name: string, values: readonly V[]): V {
    const v = this.fields[name];
    if (typeof v === "string" && (values as readonly string[]).includes(v)) return v as V;
    this.problem(name, `one of ${values.map((x) => JSON.stringify(x)).join(", ")}`, v);
    return values[0] as V;
  }

  /** A list whose items are read by `item` (which gets a checker per object item, named "field[i]"). */
  list<T>(name: string, item: (checker: FieldChecker) => T): T[] {
    const v = this.fields[name];
    if (!Array.isArray(v)) {
      this.problem(name, "a list", v);
      return [];
    }
    return v.map((entry, i) => {
      const inner = new FieldChecker(entry, this.path(`${name}[${i}]`));
      const out = item(inner);
      this.problems.push(...inner.problems);
      return out;
    });
  }

  stringList(name: string): string[] {
    const v = this.fields[name];
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
    this.problem(name, "a list of strings", v);
    return [];
  }

  numberTuple(name: string, length: number): number[] | undefined {
    const v = this.fields[name];
    if (v === undefined) return undefined;
    if (Array.isArray(v) && v.length === length && v.every((x) => typeof x === "number" && Number.isFinite(x))) return v as number[];
    this.problem(name, `a list of ${length} numbers`, v);
    return undefined;
  }

  /** A nested object, read by `read` with its own checker. */
  object<T>(name: string, read: (checker: FieldChecker) => T): T {
    const inner = new FieldChecker(this.fields[name], this.path(name));
    const out = read(inner);
    this.problems.push(...inner.problems);
    return out;
  }

  /** The raw value of a field, for the few a validator reads by hand. */
  raw(name: string): unknown {
    return this.fields[name];
  }

  problem(name: string, wanted: string, got: unknown): void {
    if (this.silent) return;
    this.problems.push(
      got === undefined ? `"${this.path(name)}" is missing; it must be ${wanted}` : `"${this.path(name)}" must be ${wanted} (got ${shorten(got)})`,
    );
  }

  /** The data, without the optional fields that were absent, or the problems. */
  result<T extends object>(data: T): Validation<T> {
    if (this.problems.length) return { ok: false, problems: [...this.problems] };
    const clean = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as T;
    return { ok: true, data: clean };
  }

  private path(name: string): string {
    return this.prefix ? `${this.prefix}.${name}` : name;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function numberWanted(rule: NumberRule): string {
  const kind = rule.integer ? "a whole number" : "a number";
  if (rule.min !== undefined && rule.max !== undefined) return `${kind} from ${rule.min} to ${rule.max}`;
  if (rule.min !== undefined) return `${kind} ≥ ${rule.min}`;
  return kind;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "string" ? shorten(value) : typeof value;
}

function shorten(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
