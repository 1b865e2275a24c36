import { describe, expect, it } from "vitest";
import { parseResultsCsv } from "../../src/results/results-csv.js";

describe("parseResultsCsv, wide form", () => {
  it("types values by inference", () => {
    const parse = parseResultsCsv("maxT,iters,converged,solver,ratio,tiny\n351.25,42,TRUE, ok ,-2.5,1e-3\n");
    expect(parse).toEqual({
      results: [
        { name: "maxT", type: "scalar", value: 351.25 },
        { name: "iters", type: "scalar", value: 42 },
        { name: "converged", type: "boolean", value: true },
        { name: "solver", type: "ascii", value: "ok" },
        { name: "ratio", type: "scalar", value: -2.5 },
        { name: "tiny", type: "scalar", value: 0.001 },
      ],
      warnings: [],
    });
  });

  it("reads quoted fields holding commas as one value", () => {
    const parse = parseResultsCsv('"name, with comma",note\n1,"hello, ""world"""\n');
    expect(parse.results).toEqual([
      { name: "name, with comma", type: "scalar", value: 1 },
      { name: "note", type: "ascii", value: 'hello, "world"' },
    ]);
    expect(parse.warnings).toEqual([]);
  });

  it("does not take non-decimal or non-finite figures for numbers", () => {
    const parse = parseResultsCsv("a,b,c,d\n0x10,Infinity,1e999,NaN\n");
    expect(parse.results.map((r) => r.type)).toEqual(["ascii", "ascii", "ascii", "ascii"]);
  });

  it("warns about missing values, empty names, extra values and extra rows, and keeps the rest", () => {
    const parse = parseResultsCsv("a,,b,c,d\n1,2,3\n9,9,9\n8,8,8\n");
    expect(parse.results).toEqual([
      { name: "a", type: "scalar", value: 1 },
      { name: "b", type: "scalar", value: 3 },
    ]);
    expect(parse.warnings).toEqual([
      "results.csv line 1: column 2 has an empty name; skipped",
      'results.csv line 2: no value for "c", "d" (3 value(s) for 5 name(s)); skipped',
      "results.csv line 3: 2 more row(s) after the row of values are ignored (the wide form has one row; use the header name,type,value for one result per row)",
    ]);
  });

  it("warns about more values than names", () => {
    const parse = parseResultsCsv("a\n1,2\n", "outputs/results.csv");
    expect(parse.results).toEqual([{ name: "a", type: "scalar", value: 1 }]);
    expect(parse.warnings).toEqual(["outputs/results.csv line 2: 2 values for 1 name(s); the extra values are ignored"]);
  });

  it("warns when there is no row of values", () => {
    expect(parseResultsCsv("a,b\n")).toEqual({
      results: [],
      warnings: ["results.csv line 1: 2 name(s) but no row of values; no results"],
    });
  });
});

describe("parseResultsCsv, long form", () => {
  it("reads one result per row", () => {
    const parse = parseResultsCsv(' Name , TYPE , Value \r\nmaxT,scalar,351.25\r\nok,boolean,False\r\nnote,ascii,"a, b"\r\n');
    expect(parse).toEqual({
      results: [
        { name: "maxT", type: "scalar", value: 351.25 },
        { name: "ok", type: "boolean", value: false },
        { name: "note", type: "ascii", value: "a, b" },
      ],
      warnings: [],
    });
  });

  it("warns about bad rows with their line numbers and lets the rest through", () => {
    const text = [
      "name,type,value",
      "good1,scalar,1.5",
      "",
      "bad,scalar,abc",
      "flag,boolean,yes",
      "kind,vector,1",
      ",scalar,3",
      "unquoted,ascii,a,b",
      'multi,ascii,"line one',
      'line two"',
      "good2,scalar,-4e2",
      "short,scalar",
    ].join("\n");
    const parse = parseResultsCsv(text);
    expect(parse.results).toEqual([
      { name: "good1", type: "scalar", value: 1.5 },
      { name: "multi", type: "ascii", value: "line one\nline two" },
      { name: "good2", type: "scalar", value: -400 },
    ]);
    expect(parse.warnings).toEqual([
      'results.csv line 4: scalar "abc" is not a number; row skipped',
      'results.csv line 5: boolean "yes" is not true or false; row skipped',
      'results.csv line 6: type "vector" must be scalar, boolean or ascii; row skipped',
      "results.csv line 7: empty name; row skipped",
      "results.csv line 8: expected 3 fields (name,type,value), got 4; quote a value that holds commas; row skipped",
      "results.csv line 12: expected 3 fields (name,type,value), got 2; quote a value that holds commas; row skipped",
    ]);
  });

  it("gives the same results as the wide form for the same data", () => {
    const wide = parseResultsCsv('maxT,iters,converged,solver,"label, long"\n351.25,42,true,"CG, Jacobi",x\n');
    const long = parseResultsCsv(
      [
        "name,type,value",
        "maxT,scalar,351.25",
        "iters,scalar,42",
        "converged,boolean,TRUE",
        'solver,ascii,"CG, Jacobi"',
        '"label, long",ascii,x',
      ].join("\n"),
    );
    expect(long).toEqual(wide);
    expect(wide.results).toHaveLength(5);
    expect(wide.warnings).toEqual([]);
  });
});

describe("parseResultsCsv, edge cases", () => {
  it("gives nothing for empty or blank text", () => {
    expect(parseResultsCsv("")).toEqual({ results: [], warnings: [] });
    expect(parseResultsCsv("\n\r\n  \n")).toEqual({ results: [], warnings: [] });
  });

  it("never throws on garbage", () => {
    for (const text of ['"', '"""', "name,type,value\n\"", ",,,\n,,,", "\u0000\u0001,\n\u00ff", "a\n\"unclosed, 1"]) {
      expect(() => parseResultsCsv(text)).not.toThrow();
    }
  });
});
