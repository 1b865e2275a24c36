import { execFileSync } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { resolveSolverCommand, runSolverProcess } from "../../src/process/index.js";

const solvers = fileURLToPath(new URL("../fixtures/solvers/", import.meta.url));

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "pw-backpressure-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// A FIFO as a log file stands for a disk slower than the solver: while nobody
// reads it, the runner must stop reading the solver rather than buffer its output.
it("holds the solver back instead of buffering when a log file does not keep up", async () => {
  const bytes = 20 * 1024 * 1024;
  const fifo = path.join(dir, "slow.log");
  const regular = path.join(dir, "main.txt");
  execFileSync("mkfifo", [fifo]);

  // Opened, so the runner's open of the FIFO completes, but not read yet.
  const reader = createReadStream(fifo);
  reader.pause();
  // Listened for from the start: the reader may reach the FIFO's end and close before the run's
  // promise settles, and a listener added after that would wait for ever.
  const readerClosed = new Promise<void>((resolve) => reader.once("close", () => resolve()));
  let lines = 0;
  const run = runSolverProcess({
    argv: [...(await resolveSolverCommand(path.join(solvers, "big-output.py"))), String(bytes)],
    cwd: dir,
    env: { PATH: process.env.PATH },
    logFiles: [fifo, regular],
    graceMs: 500,
    onLine: () => void lines++,
  });

  await sleep(1000);
  const stalled = lines;
  await sleep(300);
  // Only what the pipes and stream buffers hold got through: not the 20 MiB.
  expect(lines).toBe(stalled);
  expect(stalled).toBeGreaterThan(0);
  expect(stalled * 64).toBeLessThan(2 * 1024 * 1024);

  let received = 0;
  reader.on("data", (chunk) => void (received += chunk.length));
  reader.resume();
  const exit = await run;
  await readerClosed;

  expect(exit.exitCode).toBe(0);
  const expected = bytes + Array.from({ length: bytes / 64 / 4096 }, (_, k) => `stderr line ${k + 1}\n`.length).reduce((a, b) => a + b);
  expect(received).toBe(expected);
  expect((await stat(regular)).size).toBe(expected);
});
