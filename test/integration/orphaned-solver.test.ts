/**
 * A runner killed with SIGKILL cannot take its solver down (it runs detached, in its own process
 * group): the next runner on the work directory finds the group in debug/solver-group.json and
 * stops it before it starts a solver of its own, so that two never write outputs/ at once.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isAlive, waitFor } from "../helpers/pids.js";
import { runCli, type CliRun } from "../helpers/run-cli.js";
import { useTempWorks, type TempWork } from "../helpers/work-dir.js";

// These run the built CLI (bin/ → dist/): `npm run build` first.
const { work } = useTempWorks();
/** Processes a failed test could leave behind; killed afterwards whatever happened. */
const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone, as it should be.
    }
  }
});

const recordOf = (w: TempWork) => join(w.dir, "debug/solver-group.json");

/** A run whose solver appends "<pid> <n>" to outputs/logs/prog.log until `<dir>/release` exists. */
async function tickingWork(env: Record<string, string> = {}): Promise<TempWork & { release(): Promise<void> }> {
  const w = await work("log-ticker.py");
  const release = join(w.dir, "release");
  const config = JSON.parse(await readFile(w.configPath, "utf8")) as Record<string, unknown>;
  await writeFile(w.configPath, JSON.stringify({ ...config, env: { RELEASE_FILE: release, ...env } }, null, 2));
  return { ...w, release: () => writeFile(release, "") };
}

/** The lines of prog.log as [pid, n]. */
async function ticks(w: TempWork): Promise<[number, number][]> {
  const text = await readFile(join(w.dir, "outputs/logs/prog.log"), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => /^\d+ \d+$/.test(line))
    .map((line) => line.split(" ").map(Number) as [number, number]);
}

/** Resolves with the pid of a solver other than `others` once it has written a few ticks. */
function solverTicking(w: TempWork, others: number[] = []): Promise<number> {
  return waitFor(
    async () => {
      const pids = (await ticks(w)).map(([pid]) => pid).filter((pid) => !others.includes(pid));
      return pids.length >= 3 ? pids[0] : undefined;
    },
    30_000,
    "a solver to write prog.log",
  );
}

describe("a solver left running by a runner killed with SIGKILL", () => {
  for (const { name, args, env } of [
    { name: "a plain restart", args: [], env: {} },
    // SIGTERM ignored: the group gets SIGKILL once the grace is over.
    { name: "a restart with --startingStage=execute, the solver ignoring SIGTERM", args: ["--startingStage=execute", "--grace=500ms"], env: { IGNORE_TERM: "1" } },
  ]) {
    it(`is stopped by ${name} before the new solver starts, with a warning naming its pid`, async () => {
      const w = await tickingWork(env);
      let runnerPid = 0;
      const first = runCli([`--configPath=${w.configPath}`], { onStart: (pid) => (runnerPid = pid) });
      const orphan = await solverTicking(w);
      leftovers.push(orphan);
      process.kill(runnerPid, "SIGKILL");
      expect((await first).signal).toBe("SIGKILL");
      // The bug's precondition: the solver outlived its runner.
      expect(isAlive(orphan)).toBe(true);

      const second: Promise<CliRun> = runCli([`--configPath=${w.configPath}`, ...args]);
      const solver = await solverTicking(w, [orphan]);
      leftovers.push(solver);
      expect(isAlive(orphan)).toBe(false);
      await w.release();
      const result = await second;
      expect(result.code, result.stderr).toBe(0);
      // The terminal display prints warnings with the rest (stdout); --quiet prints them on stderr.
      expect(result.stdout + result.stderr).toContain(`warning: a solver an earlier runner left running in ${w.dir} (pid ${orphan}`);
      expect(await readFile(join(w.dir, "debug/runner.log"), "utf8")).toContain(`(pid ${orphan}`);

      // Once the new solver wrote, the old one never did again: one writer at a time.
      const lines = await ticks(w);
      const from = lines.findIndex(([pid]) => pid === solver);
      expect(new Set(lines.map(([pid]) => pid))).toEqual(new Set([orphan, solver]));
      expect(lines.slice(from).filter(([pid]) => pid !== solver)).toEqual([]);
      // The solver ended normally: its record is gone.
      expect(existsSync(recordOf(w))).toBe(false);
    });
  }

  it("a recorded process group whose pid now belongs to a process started later is left alone", async () => {
    const w = await tickingWork();
    // A process of its own group, as a solver is, but not the one the record names (another start time).
    const stranger = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
    const pid = stranger.pid as number;
    leftovers.push(pid);
    await mkdir(join(w.dir, "debug"), { recursive: true });
    await writeFile(recordOf(w), JSON.stringify({ host: hostname(), pgid: pid, processStart: "1", startedAt: "2020-01-02T03:04:05.000Z", runnerPid: 1 }));

    const run = runCli([`--configPath=${w.configPath}`]);
    await solverTicking(w);
    await w.release();
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain("left running");
    expect(isAlive(pid)).toBe(true);
    expect(existsSync(recordOf(w))).toBe(false);
  });
});
