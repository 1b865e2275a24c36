import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { renderProgressBar } from "../../src/log/progress-bar.js";
import { TerminalDisplay } from "../../src/cli/terminal-display.js";

/** An in-memory terminal: what the display wrote, with a settable width. */
function screen(columns = 80): { out: NodeJS.WriteStream; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  (stream as { columns: number }).columns = columns;
  return { out: stream, text: () => text };
}

describe("TerminalDisplay", () => {
  it("prints plain timestamped progress lines at most once per interval, and the latest at stage end", () => {
    let now = Date.parse("2026-01-01T10:00:00");
    const { out, text } = screen();
    const d = new TerminalDisplay({ out, interactive: false, echoSolver: false, verbose: false, plainIntervalMs: 1000, now: () => now });
    d.onEvent({ type: "progress", progress: 10, label: "a" });
    now += 100;
    d.onEvent({ type: "progress", progress: 20, label: "b" });
    now += 100;
    d.onEvent({ type: "progress", progress: 30, label: "c" });
    d.onEvent({ type: "stage", stage: { name: "execute", status: "finished", durationMs: 1500 } });
    d.close();
    const lines = text().trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d 10\.0% a$/);
    expect(lines[1]).toMatch(/30\.0% c$/);
    expect(lines[2]).toMatch(/execute finished in 1\.5s$/);
  });

  it("draws a bar in place and prints solver lines above it", async () => {
    const { out, text } = screen(60);
    const d = new TerminalDisplay({ out, interactive: true, echoSolver: true, verbose: false });
    d.onEvent({ type: "progress", progress: 50, label: "half way" });
    await new Promise((r) => setTimeout(r, 150));
    d.onEvent({ type: "log", line: "solver says hi", stream: "stdout" });
    d.close();
    const t = text();
    expect(t).toContain("\r\x1b[2K[████████████░░░░░░░░░░░░]  50.0% half way");
    expect(t).toContain("\r\x1b[2Ksolver says hi\n");
    // The bar never runs past the terminal's width.
    for (const drawn of t.split("\r\x1b[2K")) expect([...drawn.replace("\n", "")].length).toBeLessThan(60);
  });

  it("shows what reached the platform beside the solver's progress", () => {
    let now = 0;
    const { out, text } = screen();
    const d = new TerminalDisplay({ out, interactive: false, echoSolver: false, verbose: false, now: () => (now += 2000) });
    d.onEvent({ type: "upload", files: 3, bytes: 1.5 * 1024 * 1024 });
    d.onEvent({ type: "progress", progress: 42, label: "solving" });
    d.close();
    expect(text()).toMatch(/42\.0% solving {2}\(sent 3 files, 1\.5MB\)\n$/);
  });

  it("cuts a long label to the width", () => {
    const line = renderProgressBar(12.34, "x".repeat(200), "execute 3s", 50);
    expect([...line].length).toBe(49);
    expect(line.endsWith("…")).toBe(true);
  });
});
