import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunResult } from "../../src/run-result.js";
import { CLI, useTempWorks } from "../helpers/work-dir.js";

const { work } = useTempWorks();

interface ClosedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the other stream, the one left open, carried. */
  other: string;
}

/**
 * Runs the real CLI with stdout and stderr piped, and closes the read end of `closed` after its first
 * chunk, as `physicsworks-solve … | head -1` does; the other stream is read to the end.
 */
function runClosingAfterFirstChunk(args: string[], closed: "stdout" | "stderr", env: NodeJS.ProcessEnv): Promise<ClosedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const reader = child[closed];
    const otherStream = closed === "stdout" ? child.stderr : child.stdout;
    let other = "";
    otherStream.setEncoding("utf8").on("data", (d: string) => (other += d));
    reader.once("data", () => reader.destroy());
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, other });
    });
  });
}

async function runJson(dir: string): Promise<RunResult> {
  return JSON.parse(await readFile(join(dir, "debug/run.json"), "utf8")) as RunResult;
}

describe("the CLI with a terminal output whose reader goes away", () => {
  it("goes on to the end of the run when stdout is closed after its first line", async () => {
    // The solver sleeps a second after its first line: the display writes stage lines to the closed pipe afterwards.
    const w = await work("sleeper.py");
    const run = await runClosingAfterFirstChunk([`--configPath=${w.configPath}`], "stdout", { SLEEP_SECONDS: "1" });
    expect(run.signal).toBeNull();
    expect(run.code, run.other).toBe(0);
    expect(run.other).not.toContain("EPIPE");
    const result = await runJson(w.dir);
    expect(result).toMatchObject({ status: "finished", exitCode: 0 });
    expect(result.stages.map((s) => [s.name, s.status])).toContainEqual(["post-process", "finished"]);
  });

  it("goes on to the end and still prints the --json summary on stdout when stderr is closed", async () => {
    // With --json the display is on stderr; stdout carries the summary and stays open.
    const w = await work("sleeper.py");
    const run = await runClosingAfterFirstChunk([`--configPath=${w.configPath}`, "--json"], "stderr", { SLEEP_SECONDS: "1" });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    expect(JSON.parse(run.other)).toMatchObject({ status: "finished", exitCode: 0 });
    expect(await runJson(w.dir)).toMatchObject({ status: "finished", exitCode: 0 });
  });
});
