import { appendFile, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseStateLine, type StateUpdate } from "../../src/progress/state-line.js";
import {
  StateFileReader,
  applyStateUpdate,
  initialProgressState,
  type ProgressState,
} from "../../src/progress/state-tracker.js";

function replay(lines: string[]): ProgressState {
  let state = initialProgressState();
  for (const line of lines) {
    const update = parseStateLine(line);
    if (update) state = applyStateUpdate(state, update);
  }
  return state;
}

/** Reads until the reader has nothing more, as callers do. */
async function drain(reader: StateFileReader, options: { final?: boolean; maxBytes?: number } = {}): Promise<string[][]> {
  const batches: string[][] = [];
  for (;;) {
    const lines = await reader.readNewLines(options);
    if (lines.length === 0) return batches;
    batches.push(lines);
  }
}

describe("applyStateUpdate", () => {
  it("starts at zero", () => {
    expect(initialProgressState()).toEqual({ progress: 0, label: "", stepFailed: false, lines: 0 });
  });

  it("moves progress only when the update has one, and always takes the label", () => {
    const state = replay(["Solving 40%", "still solving"]);
    expect(state).toEqual({ progress: 40, label: "still solving", stepFailed: false, lines: 2 });
  });

  it("is pure", () => {
    const before = initialProgressState();
    const update: StateUpdate = { label: "x", progress: 10, isError: true };
    const after = applyStateUpdate(before, update);
    expect(before).toEqual(initialProgressState());
    expect(after).toMatchObject({ progress: 10, stepFailed: true, errorLabel: "x" });
  });

  it("a step finished does not finish the run", () => {
    const state = replay([
      "2024-05-01 12:00:00,10,Meshing,meshing,running",
      "2024-05-01 12:00:05,30,Meshing done,meshing,finished",
    ]);
    expect(state).toEqual({ progress: 30, label: "Meshing done", stepFailed: false, lines: 2 });
    expect(Object.keys(state)).not.toContain("finished");
  });

  it("a failed step or an error word marks the run failed, and it stays so", () => {
    const state = replay([
      "Solving 20%",
      "2024-05-01 12:00:00,25,\"Mesh inverted, cell 12\",meshing,failed",
      "solver aborted",
      "Solving 90%, all done",
    ]);
    expect(state).toEqual({
      progress: 90,
      label: "Solving 90%, all done",
      stepFailed: true,
      errorLabel: "Mesh inverted, cell 12",
      lines: 4,
    });
  });

  it("'terror' is no error", () => {
    expect(replay(["Reign of terror 50%"]).stepFailed).toBe(false);
  });
});

describe("StateFileReader", () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "pw-state-"));
    file = join(dir, "state.txt");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("yields [] for a missing file, then reads it once it exists", async () => {
    const reader = new StateFileReader(file);
    expect(await reader.readNewLines()).toEqual([]);
    expect(await reader.readNewLines({ final: true })).toEqual([]);
    await writeFile(file, "one\n");
    expect(await reader.readNewLines()).toEqual(["one"]);
  });

  it("returns only what was appended, holding back a partial line until its newline", async () => {
    const reader = new StateFileReader(file);
    await appendFile(file, "first\nsec");
    expect(await reader.readNewLines()).toEqual(["first"]);
    expect(await reader.readNewLines()).toEqual([]);
    await appendFile(file, "ond, still");
    expect(await reader.readNewLines()).toEqual([]);
    await appendFile(file, " going\r\nthird\n");
    expect(await reader.readNewLines()).toEqual(["second, still going", "third"]);
    expect(await reader.readNewLines()).toEqual([]);
  });

  it("returns the partial last line with final: true", async () => {
    const reader = new StateFileReader(file);
    await appendFile(file, "a\nlast words");
    expect(await reader.readNewLines()).toEqual(["a"]);
    expect(await reader.readNewLines({ final: true })).toEqual(["last words"]);
    expect(await reader.readNewLines({ final: true })).toEqual([]);
  });

  it("does not split CRLF across reads, and reads a lone CR as a line end", async () => {
    const reader = new StateFileReader(file);
    await appendFile(file, "10%\r");
    expect(await reader.readNewLines()).toEqual([]);
    await appendFile(file, "\n20%\r30%\r40");
    expect(await reader.readNewLines()).toEqual(["10%", "20%", "30%"]);
    expect(await reader.readNewLines({ final: true })).toEqual(["40"]);
  });

  it("reads a file that shrank from its start again", async () => {
    const reader = new StateFileReader(file);
    await writeFile(file, "old 1\nold 2\nold 3\npart");
    expect(await reader.readNewLines()).toEqual(["old 1", "old 2", "old 3"]);
    await writeFile(file, "new 1\n");
    expect(await reader.readNewLines()).toEqual(["new 1"]);
    await appendFile(file, "new 2\n");
    expect(await reader.readNewLines()).toEqual(["new 2"]);
  });

  it("reads a file replaced by another (rename) from its start", async () => {
    const reader = new StateFileReader(file);
    await writeFile(file, "a\n");
    expect(await reader.readNewLines()).toEqual(["a"]);
    const other = join(dir, "state.tmp");
    await writeFile(other, "b, a longer replacement\n");
    await rename(other, file);
    expect(await reader.readNewLines()).toEqual(["b, a longer replacement"]);
  });

  it("decodes multibyte UTF-8 split at every maxBytes boundary", async () => {
    const lines = ["Température 50 %", "Überprüfung — fertig ✓", "求解器 75%", "emoji 🚀🚀 done"];
    await writeFile(file, lines.join("\n") + "\n");
    for (const maxBytes of [4, 5, 6, 7, 11]) {
      const reader = new StateFileReader(file);
      const batches = await drain(reader, { maxBytes });
      expect(batches.flat(), `maxBytes ${maxBytes}`).toEqual(lines);
    }
  });

  it("decodes a partial multibyte character completed by a later append", async () => {
    const reader = new StateFileReader(file);
    const euro = Buffer.from("€", "utf8");
    await appendFile(file, Buffer.concat([Buffer.from("cost 5"), euro.subarray(0, 1)]));
    expect(await reader.readNewLines()).toEqual([]);
    await appendFile(file, Buffer.concat([euro.subarray(1), Buffer.from("\n")]));
    expect(await reader.readNewLines()).toEqual(["cost 5€"]);
  });

  it("reads a 100,000-line flood in pieces", async () => {
    const count = 100_000;
    const text = Array.from({ length: count }, (_, i) => `2024-05-01 12:00:00,${i % 101},"step ${i}, ok",solver,running\n`).join("");
    await writeFile(file, text);
    const reader = new StateFileReader(file);
    const maxBytes = 64 * 1024;
    const batches = await drain(reader, { maxBytes });
    expect(batches.length).toBeGreaterThanOrEqual(Math.floor(Buffer.byteLength(text) / maxBytes));
    // Each call reads at most maxBytes; a batch also holds the line the previous read left partial.
    const longestLine = 80;
    for (const batch of batches) {
      expect(Buffer.byteLength(batch.join("\n"))).toBeLessThanOrEqual(maxBytes + longestLine);
    }
    const all = batches.flat();
    expect(all).toHaveLength(count);
    expect(all[0]).toBe('2024-05-01 12:00:00,0,"step 0, ok",solver,running');
    expect(all[count - 1]).toBe(`2024-05-01 12:00:00,${(count - 1) % 101},"step ${count - 1}, ok",solver,running`);
    const state = replay(all);
    expect(state).toMatchObject({ lines: count, label: `step ${count - 1}, ok`, stepFailed: false });
  });

  it("returns a line longer than maxBytes whole", async () => {
    const long = "x".repeat(1000) + " 50%";
    await writeFile(file, `${long}\nshort\n`);
    const batches = await drain(new StateFileReader(file), { maxBytes: 16 });
    expect(batches.flat()).toEqual([long, "short"]);
  });

  it("cuts a line with no end beyond maxLineBytes at a character boundary", async () => {
    await writeFile(file, "é".repeat(10));
    const reader = new StateFileReader(file, { maxLineBytes: 7 });
    const lines = (await drain(reader, { maxBytes: 5, final: true })).flat();
    expect(lines.join("")).toBe("é".repeat(10));
    for (const line of lines) expect(line).not.toContain("\ufffd");
  });

  it("skipExisting starts after what an earlier run left, including its partial line", async () => {
    await writeFile(file, "old run 100%\nold partial");
    const reader = new StateFileReader(file);
    await reader.skipExisting();
    expect(await reader.readNewLines({ final: true })).toEqual([]);
    await appendFile(file, "\nnew run 5%\n");
    expect(await reader.readNewLines()).toEqual(["", "new run 5%"]);
  });

  it("skipExisting on a missing file reads the file from its start once it appears", async () => {
    const reader = new StateFileReader(file);
    await reader.skipExisting();
    await writeFile(file, "first\n");
    expect(await reader.readNewLines()).toEqual(["first"]);
  });

  it("serialises overlapping calls", async () => {
    await writeFile(file, "a\nb\nc\n");
    const reader = new StateFileReader(file);
    const results = await Promise.all([reader.readNewLines({ maxBytes: 4 }), reader.readNewLines({ maxBytes: 4 }), reader.readNewLines({ maxBytes: 4 })]);
    expect(results.flat()).toEqual(["a", "b", "c"]);
  });

  it("rejects a maxBytes that cannot make progress, naming it", async () => {
    const reader = new StateFileReader(file);
    expect(() => reader.readNewLines({ maxBytes: 0 })).toThrow(/"maxBytes" must be an integer of at least 4 bytes \(got 0\)/);
  });
});
