/**
 * The state.txt parser (line by line and through StateFileReader on a real file) and the
 * results.csv parser on random and mutated input: they never throw, never hang, and what they
 * return keeps its promises (progress 0–100, lines without line ends, only the three result types).
 */
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseResultsCsv, parseStateLine } from "../../src/index.js";
import { StateFileReader } from "../../src/progress/state-tracker.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pw-fuzz-state-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const stateLike = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc
    .tuple(fc.constantFrom("2024-01-02 03:04:05", "", "x", "2024-13-99 99:99:99"), fc.oneof(fc.double(), fc.constantFrom("50", "-1", "1e999", "NaN", "50%", "")), fc.string(), fc.string(), fc.constantFrom("pending", "running", "finished", "failed", "FAILED", "x", ""))
    .map((f) => f.map((v) => (typeof v === "string" && Math.random() < 0.3 ? `"${v.replace(/"/g, '""')}"` : String(v))).join(",")),
  fc.tuple(fc.string(), fc.oneof(fc.double(), fc.integer()), fc.constantFrom("%", " %", " percent", "percent")).map(([a, n, p]) => `${a}${n}${p}`),
);

describe("state.txt fuzz", () => {
  it("parseStateLine never throws; progress is a number within 0–100", () => {
    fc.assert(
      fc.property(stateLike, (line) => {
        const update = parseStateLine(line);
        if (update === undefined) return;
        expect(typeof update.label).toBe("string");
        expect(typeof update.isError).toBe("boolean");
        if (update.progress !== undefined) {
          expect(Number.isFinite(update.progress)).toBe(true);
          expect(update.progress).toBeGreaterThanOrEqual(0);
          expect(update.progress).toBeLessThanOrEqual(100);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("StateFileReader on random bytes appended in random pieces: no throw, no line end inside a line, length bounded", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b.map((x) => (x % 5 === 0 ? 10 : x % 7 === 0 ? 13 : x)))), { maxLength: 8 }), fc.integer({ min: 4, max: 64 }), async (pieces, maxLineBytes) => {
        const file = join(dir, `state-${n++}.txt`);
        await writeFile(file, "");
        const reader = new StateFileReader(file, { maxLineBytes });
        const lines: string[] = [];
        for (const piece of pieces) {
          await appendFile(file, piece);
          for (let got = await reader.readNewLines(); got.length; got = await reader.readNewLines()) lines.push(...got);
        }
        for (let got = await reader.readNewLines({ final: true }); got.length; got = await reader.readNewLines({ final: true })) lines.push(...got);
        for (const line of lines) {
          expect(line).not.toMatch(/[\r\n]/);
          // maxLineBytes bounds the raw bytes, cut at a character boundary (up to 3 bytes further);
          // an invalid byte decodes to U+FFFD, three bytes in UTF-8.
          expect(Buffer.byteLength(line)).toBeLessThanOrEqual(3 * (maxLineBytes + 3));
          parseStateLine(line);
        }
        await rm(file);
      }),
      { numRuns: 150 },
    );
  });
});

const csvCell = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("1", "-2.5e3", "true", "FALSE", "name", "type", "value", "scalar", "boolean", "ascii", "", '"', '""', ",", "\n", "\r\n"));
const csvText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 400 }),
  fc.array(fc.array(csvCell, { maxLength: 6 }), { maxLength: 8 }).map((rows) => rows.map((r) => r.map((c) => (Math.random() < 0.5 ? `"${c.replace(/"/g, '""')}"` : c)).join(",")).join(Math.random() < 0.5 ? "\n" : "\r\n")),
  fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom("scalar", "boolean", "ascii", "other", ""), csvCell), { maxLength: 8 }).map((rows) => `name,type,value\n${rows.map((r) => r.join(",")).join("\n")}`),
);

describe("results.csv fuzz", () => {
  it("parseResultsCsv never throws; every result has a name and one of the three types", () => {
    fc.assert(
      fc.property(csvText, (text) => {
        const { results, warnings } = parseResultsCsv(text);
        expect(Array.isArray(warnings)).toBe(true);
        for (const r of results) {
          expect(typeof r.name).toBe("string");
          expect(["scalar", "boolean", "ascii"]).toContain(r.type);
          if (r.type === "scalar") expect(Number.isFinite(r.value)).toBe(true);
          if (r.type === "boolean") expect(typeof r.value).toBe("boolean");
        }
      }),
      { numRuns: 4000 },
    );
  });
});
