/**
 * What is wrong with a config or spec file that does not parse, as the line, the column and the
 * parser's reason, never a quote of the text: the parsers' own messages quote the lines around the
 * fault (js-yaml a code frame, V8 an excerpt), and a config file holds the platform token.
 */
import type { YAMLException } from "js-yaml";

/** " (line L, column C): reason" for a JSON.parse failure of `text`. */
export function jsonProblem(text: string, error: Error): string {
  const stated = /at position (\d+)/.exec(error.message);
  const offset = stated ? Number(stated[1]) : firstFault(text);
  // V8's "Unexpected token 'x', "…excerpt…" is not valid JSON" names a character of the text, and quotes it.
  const reason = /^Unexpected token/.test(error.message)
    ? "unexpected character"
    : error.message.replace(/ in JSON at position \d+.*$/s, "").replace(/ after JSON at position \d+.*$/s, " after the end").toLowerCase();
  return `${offset === undefined ? "" : ` (${lineAndColumn(text, offset)})`}: ${reason}`;
}

/** " (line L, column C): reason" for a js-yaml failure. */
export function yamlProblem(error: Error): string {
  const { reason, mark } = error as Partial<YAMLException>;
  if (typeof reason !== "string") return ": not readable";
  return `${mark ? ` (line ${mark.line + 1}, column ${mark.column + 1})` : ""}: ${reason}`;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  return `line ${before.split("\n").length}, column ${before.length - before.lastIndexOf("\n")}`;
}

/**
 * Where JSON text stops being JSON, for the faults V8 does not place: a plain scan of the
 * grammar (values, strings with escapes, numbers, literals); undefined when it is JSON.
 */
export function firstFault(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new FaultAt(i);
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const expect = (c: string) => (text[i] === c ? void i++ : fail());
  const string = () => {
    expect('"');
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') return void i++;
      if (c < " ") fail();
      if (c === "\\") {
        i++;
        const escaped = /u[0-9A-Fa-f]{4}|["\\/bfnrt]/y;
        escaped.lastIndex = i;
        if (!escaped.test(text)) fail();
        i = escaped.lastIndex;
      } else i++;
    }
    fail();
  };
  const list = (close: string, item: () => void) => {
    i++;
    space();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      space();
      if (text[i] === ",") i++;
      else return expect(close);
    }
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === "{") return list("}", () => (space(), string(), space(), expect(":"), value()));
    if (c === "[") return list("]", value);
    if (c === '"') return string();
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if (number.test(text)) return void (i = number.lastIndex);
    const word = ["true", "false", "null"].find((w) => text.startsWith(w, i));
    if (!word) fail();
    i += (word as string).length;
  };
  try {
    value();
    space();
    if (i < text.length) fail();
    return undefined;
  } catch (error) {
    if (error instanceof FaultAt) return error.offset;
    throw error;
  }
}

class FaultAt {
  constructor(readonly offset: number) {}
}
