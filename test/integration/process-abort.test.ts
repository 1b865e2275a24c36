import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { killProcessGroup, resolveSolverCommand, runSolverProcess, type SolverProcessOptions } from "../../src/process/index.js";

const solvers = fileURLToPath(new URL("../fixtures/solvers/", import.meta.url));

let dir: string;
let pidsFile: string;
/** Processes a failed test could leave behind; killed afterwards whatever happened. */
let leftovers: number[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "pw-abort-"));
  pidsFile = path.join(dir, "pids.json");
  leftovers = [];
});

afterEach(async () => {
  for (const pid of leftovers) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone, as it should be.
    }
  }
  await rm(dir, { recursive: true, force: true });
});

async function options(script: string, extra: Partial<SolverProcessOptions> = {}): Promise<SolverProcessOptions> {
  return {
    argv: await resolveSolverCommand(path.join(solvers, script)),
    cwd: dir,
    env: { PATH: process.env.PATH, PIDS_FILE: pidsFile },
    logFiles: [path.join(dir, "main.txt")],
    graceMs: 500,
    ...extra,
  };
}

/** The fixture writes its pids atomically once it is set up. */
async function pidsOf(timeoutMs = 10_000): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const pids = JSON.parse(await readFile(pidsFile, "utf8")) as Record<string, number>;
      leftovers.push(...Object.values(pids));
      return pids;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(20);
    }
  }
}

/**
 * Whether `pid` still runs. A zombie does not: this sandbox's PID 1 does not
 * reap orphans, so a killed grandchild stays a zombie and kill(pid, 0) keeps
 * succeeding on it. On a node with a reaping init the zombie is gone at once.
 */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function waitUntilStopped(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isRunning)) {
    if (Date.now() > deadline) throw new Error(`still running after ${timeoutMs} ms: ${pids.filter(isRunning).join(", ")}`);
    await sleep(20);
  }
}

describe("runSolverProcess: ending the solver", () => {
  it("on abort, ends the whole process group, grandchildren included", async () => {
    const graceMs = 1000;
    const controller = new AbortController();
    const run = runSolverProcess(await options("grandchild.py", { graceMs, signal: controller.signal }));
    const { child, grandchild } = await pidsOf();
    expect(isRunning(child!) && isRunning(grandchild!)).toBe(true);

    const abortedAt = Date.now();
    controller.abort();
    // The grandchild shares the solver's stdout: its open pipe must not hold the run.
    const exit = await run;
    await waitUntilStopped([child!, grandchild!], graceMs + 2000);
    expect(Date.now() - abortedAt).toBeLessThan(graceMs + 2000);

    expect(exit).toMatchObject({ exitCode: null, signal: "SIGTERM", aborted: true, pid: child });
    expect(exit.lastLines).toEqual([`started grandchild ${grandchild}`]);
    expect(await readFile(path.join(dir, "main.txt"), "utf8")).toBe(`started grandchild ${grandchild}\n`);
  });

  it("kills a solver that ignores SIGTERM once the grace period is over", async () => {
    // Long enough for Python to run its SIGTERM handler (and say so) on a loaded machine.
    const graceMs = 1500;
    const controller = new AbortController();
    const run = runSolverProcess(await options("ignore-term.py", { graceMs, signal: controller.signal }));
    const { child } = await pidsOf();

    const abortedAt = Date.now();
    controller.abort();
    const exit = await run;
    const took = Date.now() - abortedAt;

    expect(exit).toMatchObject({ exitCode: null, signal: "SIGKILL", aborted: true });
    expect(took).toBeGreaterThanOrEqual(graceMs - 20);
    expect(took).toBeLessThan(graceMs + 2000);
    expect(isRunning(child!)).toBe(false);
    expect(exit.lastLines).toEqual(["ready", "ignoring SIGTERM"]);
  });

  it("leaves no orphan when the solver exits and forgets what it started", async () => {
    const script = `sleep 1000 & echo "{\\"grandchild\\": $!}" > "$PIDS_FILE.tmp" && mv "$PIDS_FILE.tmp" "$PIDS_FILE"; echo done`;
    const exit = await runSolverProcess({ ...(await options("hello.py")), argv: ["bash", "-c", script] });
    const { grandchild } = await pidsOf(0);

    expect(exit).toMatchObject({ exitCode: 0, aborted: false, lastLines: ["done"] });
    await waitUntilStopped([grandchild!], 2000);
  });

  it("does not wait forever on a pipe held open by a process that left the group", async () => {
    const outputIdleMs = 300;
    const startedAt = Date.now();
    const exit = await runSolverProcess(await options("escaped-child.py", { outputIdleMs }));
    const { escaped } = await pidsOf(0);

    expect(exit).toMatchObject({ exitCode: 0, aborted: false });
    expect(exit.lastLines[0]).toBe(`leaving sleep ${escaped} behind`);
    expect(Date.now() - startedAt).toBeLessThan(outputIdleMs + 3000);
    // Outside the group, it is out of reach by design; the test cleans it up.
    expect(isRunning(escaped!)).toBe(true);
  });

  it("ignores an abort that comes after the solver has exited", async () => {
    const controller = new AbortController();
    const exit = await runSolverProcess(await options("hello.py", { signal: controller.signal }));
    controller.abort();
    expect(exit.aborted).toBe(false);
  });
});

describe("killProcessGroup", () => {
  it("treats a group that is already gone as done", async () => {
    const exit = await runSolverProcess(await options("hello.py"));
    await expect(killProcessGroup(exit.pid, { graceMs: 100 })).resolves.toBeUndefined();
  });

  it("refuses ids that would signal the runner's own group or every process", async () => {
    await expect(killProcessGroup(0, { graceMs: 100 })).rejects.toThrow(TypeError);
    await expect(killProcessGroup(1, { graceMs: 100 })).rejects.toThrow(TypeError);
    await expect(killProcessGroup(-5, { graceMs: 100 })).rejects.toThrow(TypeError);
  });
});
