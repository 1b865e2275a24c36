import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { JsonLinesTable } from "../../src/server/store/json-lines-table.js";

interface Row {
  id: string;
  n: number;
}

const dirs: string[] = [];
function tableFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "pw-table-"));
  dirs.push(dir);
  return path.join(dir, "deep", "rows.jsonl");
}
const open = (file: string) => new JsonLinesTable<Row>(file, (r) => r.id);
const lines = (file: string) => readFileSync(file, "utf8").split("\n").filter(Boolean);

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("JsonLinesTable", () => {
  it("makes its folder on the first put, appends a line per put, and the last line of a key wins after a reload", () => {
    const file = tableFile();
    const table = open(file);
    expect(table.get("a")).toBeUndefined();
    table.put({ id: "a", n: 1 });
    table.put({ id: "b", n: 1 });
    table.put({ id: "a", n: 2 });
    expect(table.get("a")).toEqual({ id: "a", n: 2 });
    expect(lines(file)).toHaveLength(3);
    const again = open(file);
    expect(again.get("a")).toEqual({ id: "a", n: 2 });
    expect(again.get("b")).toEqual({ id: "b", n: 1 });
  });

  it("a crash's half line at the end: the record before it stands, and the file is mended before the next append", () => {
    const file = tableFile();
    const table = open(file);
    table.put({ id: "a", n: 1 });
    appendFileSync(file, '{"id":"a","n":');
    const reloaded = open(file);
    expect(reloaded.get("a")).toEqual({ id: "a", n: 1 });
    reloaded.put({ id: "b", n: 7 });
    expect(lines(file).map((l) => JSON.parse(l) as Row)).toEqual([
      { id: "a", n: 1 },
      { id: "b", n: 7 },
    ]);
  });

  it("is compacted on load when most of its lines are outdated", () => {
    const file = tableFile();
    const table = open(file);
    for (let n = 0; n < 200; n++) table.put({ id: n % 2 ? "odd" : "even", n });
    expect(lines(file)).toHaveLength(200);
    const reloaded = open(file);
    expect(reloaded.get("odd")).toEqual({ id: "odd", n: 199 });
    expect(reloaded.get("even")).toEqual({ id: "even", n: 198 });
    expect(lines(file)).toHaveLength(2);
  });
});
