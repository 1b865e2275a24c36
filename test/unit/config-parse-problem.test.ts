import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstFault, jsonProblem } from "../../src/config/parse-problem.js";

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe("firstFault()", () => {
  it("finds no fault exactly where JSON.parse succeeds", () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.json().map((t) => t.slice(0, Math.max(0, t.length - 1))),
      fc.json().chain((t) => fc.nat(t.length).map((at) => `${t.slice(0, at)}${"x,:}]\"\\ \u0001"[at % 9]}${t.slice(at)}`)),
      fc.string({ unit: fc.constantFrom(..."{}[]\":,-.0123456789eEtrufalsn \\\n") }),
    );
    fc.assert(fc.property(jsonish, (text) => (firstFault(text) === undefined) === parses(text)), { numRuns: 3000 });
  });

  it("places the first character that cannot go on", () => {
    expect(firstFault(`{"a": tru}`)).toBe(6);
    expect(firstFault(`[1, 2,]`)).toBe(6);
    expect(firstFault(`{"a": 1} x`)).toBe(9);
    expect(firstFault(`{"a"  1}`)).toBe(6);
    expect(firstFault(`"abc`)).toBe(4);
    expect(firstFault(`01`)).toBe(1);
  });

  it("says where and why, never what the text holds", () => {
    const text = `{\n  "token": SECRETTOKEN123\n}`;
    let error: Error | undefined;
    try {
      JSON.parse(text);
    } catch (e) {
      error = e as Error;
    }
    expect(jsonProblem(text, error as Error)).toBe(" (line 2, column 12): unexpected character");
  });
});
