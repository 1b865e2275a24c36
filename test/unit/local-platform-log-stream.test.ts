import { appendFile, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LogFramer } from "../../src/local-platform/logs/log-framer.js";
import { readNewBytes } from "../../src/local-platform/logs/read-new-bytes.js";
import { logFrames, sseComment, sseEvent, sseJson } from "../../src/local-platform/logs/sse-frame.js";
import { tailText } from "../../src/local-platform/logs/tail-text.js";
import { tailOf } from "../../src/local-platform/routes/log-routes.js";

/** What an EventSource makes of frames: [event, data] pairs, data lines joined with "\n". */
function parse(text: string): [string, string][] {
  const events: [string, string][] = [];
  for (const block of text.split("\n\n")) {
    if (block === "" || block.startsWith(":")) continue;
    let event = "message";
    const data: string[] = [];
    for (const line of block.split(/\r\n|\r|\n/)) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
      else throw new Error(`a line neither event nor data: ${JSON.stringify(line)}`);
    }
    events.push([event, data.join("\n")]);
  }
  return events;
}

describe("SSE framing", () => {
  it("puts one data: line per line and keeps a \\r from breaking the frame", () => {
    expect(sseEvent("log", ["a", "", "b c"])).toBe("event: log\ndata: a\ndata: \ndata: b c\n\n");
    expect(parse(sseEvent("log", ["50%\r60%", "x\ny"]))).toEqual([["log", "50%\ufffd60%\nx\ufffdy"]]);
    expect(parse(sseJson("status", { label: "a\nb" }))).toEqual([["status", '{"label":"a\\nb"}']]);
    expect(sseComment("ping\nx")).toBe(": ping x\n\n");
    expect(() => sseEvent("log\nevent: x", [])).toThrow(/event name/);
  });

  it("batches lines into frames of bounded size", () => {
    const lines = Array.from({ length: 1201 }, (_, i) => `line ${i}`);
    const frames = logFrames(lines, 500);
    expect(frames).toHaveLength(3);
    expect(frames.flatMap((f) => parse(f)).flatMap(([, data]) => data.split("\n"))).toEqual(lines);
    expect(logFrames(["x".repeat(100), "y"], 500, 50)).toHaveLength(2);
    expect(logFrames([])).toEqual([]);
  });

  it("keeps a partial line until its newline, and lets it go at the end of the log", () => {
    const framer = new LogFramer();
    const lines = (frames: string[]) => frames.flatMap((f) => parse(f)).flatMap(([, data]) => data.split("\n"));
    expect(framer.push(Buffer.from("step 1\nstep"))).toHaveLength(1);
    expect(lines(framer.push(Buffer.from(" 2 of 3\r\n")))).toEqual(["step 2 of 3"]);
    expect(framer.push(Buffer.from("€ partial"))).toEqual([]);
    // A character cut between two reads is decoded whole.
    const euro = Buffer.from("é€\n");
    expect(framer.push(euro.subarray(0, 1))).toEqual([]);
    expect(lines(framer.push(euro.subarray(1)))).toEqual(["€ partialé€"]);
    expect(framer.push(Buffer.from("no newline at the end"))).toEqual([]);
    expect(lines(framer.end())).toEqual(["no newline at the end"]);
    expect(framer.end()).toEqual([]);
  });

  it("sends an endless line in pieces", () => {
    const framer = new LogFramer(16);
    const pieces = framer.push(Buffer.from("x".repeat(40))).flatMap((f) => parse(f)).map(([, data]) => data);
    expect(pieces.join("\n").split("\n")).toEqual(["x".repeat(16), "x".repeat(16)]);
  });
});

describe("log files", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "pw-log-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads only the new bytes, and waits out a rewrite from the start", async () => {
    const file = path.join(dir, "main.log");
    expect(await readNewBytes(file, 0, 1024)).toHaveLength(0);
    await writeFile(file, "one\ntw");
    const first = await readNewBytes(file, 0, 1024);
    expect(first.toString()).toBe("one\ntw");
    expect((await readNewBytes(file, 2, 3)).toString()).toBe("e\nt");
    await appendFile(file, "o\nthree\n");
    expect((await readNewBytes(file, first.length, 1024)).toString()).toBe("o\nthree\n");
    // The server replaces a live log by a rename when it is sent again from its start.
    await writeFile(path.join(dir, "new"), "one\n");
    await rename(path.join(dir, "new"), file);
    expect(await readNewBytes(file, 14, 1024)).toHaveLength(0);
    await writeFile(path.join(dir, "new"), "one\ntwo\nthree\nfour\n");
    await rename(path.join(dir, "new"), file);
    expect((await readNewBytes(file, 14, 1024)).toString()).toBe("four\n");
  });

  it("tails the last lines from the end of the file", async () => {
    const file = path.join(dir, "main.log");
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${"·".repeat(i % 50)}`);
    await writeFile(file, `${lines.join("\r\n")}\r\n`);
    expect(await tailText(file, 5)).toBe(`${lines.slice(-5).join("\n")}\n`);
    expect(await tailText(file, 100_000)).toBe(`${lines.join("\n")}\n`);
    // A line longer than its share of the read bound is cut, marked "…".
    await writeFile(file, `short\n${"x".repeat(70_000)}\n`);
    expect(await tailText(file, 2)).toBe(`short\n${"x".repeat(64 * 1024)}…\n`);
    await writeFile(file, "no newline");
    expect(await tailText(file, 1)).toBe("no newline\n");
    expect(await tailText(path.join(dir, "missing.log"), 3)).toBe("");
  });

  it("takes a tail of 1 to 100000 lines, and names the query otherwise", () => {
    expect(tailOf(undefined)).toBeUndefined();
    expect(tailOf("1")).toBe(1);
    expect(tailOf("100000")).toBe(100_000);
    for (const bad of ["0", "100001", "-1", "1.5", "abc", "", " 5", "1e3"]) {
      expect(() => tailOf(bad)).toThrow(/\?tail must be a whole number of lines from 1 to 100000/);
    }
  });
});
