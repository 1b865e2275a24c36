import { describe, expect, it } from "vitest";
import { parseCsvLine, parseCsvRecords, readCsvRecords } from "../../src/text/csv-record.js";

describe("parseCsvRecords", () => {
  it("reads plain records, LF or CRLF, without an empty record for the trailing newline", () => {
    expect(parseCsvRecords("a,b,c\n1,2,3\n")).toEqual([
      ["a", "b", "c"],
      ["1", "2", "3"],
    ]);
    expect(parseCsvRecords("a,b\r\n1,2\r\n")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    expect(parseCsvRecords("a,b\n1,2")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("keeps commas, doubled quotes and newlines inside quoted fields", () => {
    const text = 'name,note\r\nx,"hello, ""world""\r\nsecond line"\r\ny,"a,b"\n';
    expect(parseCsvRecords(text)).toEqual([
      ["name", "note"],
      ["x", 'hello, "world"\r\nsecond line'],
      ["y", "a,b"],
    ]);
  });

  it("skips blank lines but keeps empty fields and a quoted empty record", () => {
    expect(parseCsvRecords("\n\na,b\n\n  \n,\n\"\"\n1,\n")).toEqual([
      ["a", "b"],
      ["", ""],
      [""],
      ["1", ""],
    ]);
  });

  it("gives each record the line it starts on, counting newlines inside quotes", () => {
    const records = readCsvRecords('a,b\n"x\ny",1\n\nlast,2\n');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it("takes the rest of the text for an unclosed quote and never throws", () => {
    expect(parseCsvRecords('a,"open, never\nclosed')).toEqual([["a", "open, never\nclosed"]]);
    expect(parseCsvRecords('"')).toEqual([[""]]);
    expect(parseCsvRecords('""""')).toEqual([['"']]);
  });

  it("is tolerant: literal quotes in unquoted fields, text after a closing quote, space before a quote", () => {
    expect(parseCsvRecords('5" pipe,"a"b, "c,d"\n')).toEqual([['5" pipe', "ab", "c,d"]]);
  });

  it("drops a byte-order mark and accepts a lone CR as a line ending", () => {
    expect(parseCsvRecords("\ufeffa,b\r1,2")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("returns nothing for empty text", () => {
    expect(parseCsvRecords("")).toEqual([]);
  });
});

describe("parseCsvLine", () => {
  it("reads one line, dropping its line ending", () => {
    expect(parseCsvLine('2024-01-01 10:00:00,50,"a, ""b""",mesh,running\r\n')).toEqual([
      "2024-01-01 10:00:00",
      "50",
      'a, "b"',
      "mesh",
      "running",
    ]);
    expect(parseCsvLine("")).toEqual([""]);
    expect(parseCsvLine("a,")).toEqual(["a", ""]);
  });

  it("survives an unclosed quote", () => {
    expect(parseCsvLine('x,"unclosed, still')).toEqual(["x", "unclosed, still"]);
  });
});
