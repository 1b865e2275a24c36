import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { sweepRunCommand, sweepStatusCommand } from "../../src/cli/sweep-command.js";
import { AbortError } from "../../src/errors.js";
import type { RunResult } from "../../src/run-result.js";
import { loadSweep, runSweepLocal, type SweepEvent } from "../../src/sweep/index.js";
import { useTempWorks } from "../helpers/work-dir.js";

const temps = useTempWorks();

/** A solver that reads its parameters three ways, records them, sleeps `sleepMs`, and fails when x is `failAt`. */
const SOLVER = `import { readFileSync, writeFileSync } from "node:fs";
const out = process.env.PHYSICSWORKS_OUTPUTS_DIR;
const fromEnv = JSON.parse(process.env.PHYSICSWORKS_PARAMS ?? "{}");
const fromFile = JSON.parse(readFileSync(process.env.PHYSICSWORKS_INPUTS_DIR + "/parameters.json", "utf8"));
const x = Number(fromEnv.x);
writeFileSync(out + "/seen.json", JSON.stringify({ fromEnv, fromFile, argv: process.argv.slice(2) }));
if (x === Number(fromEnv.failAt)) { console.error("x = " + x + " is the bad one"); process.exit(3); }
setTimeout(() => writeFileSync(out + "/results.csv", "square,label\\n" + x * x + ",x" + x + "\\n"), Number(fromEnv.sleepMs ?? 0));
`;

async function sweepDir(parameters: string): Promise<string> {
  const dir = await temps.tempDir("pw-sweep-local-");
  await mkdir(join(dir, "solver"));
  await writeFile(join(dir, "solver", "main.mjs"), SOLVER);
  await writeFile(join(dir, "sweep.yaml"), `base: {mainScript: main.mjs, grace: 2s}\nscripts: ./solver\nroot: ./out\nparameters:\n${parameters}`);
  return join(dir, "sweep.yaml");
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

async function runJson(root: string, dir: string): Promise<RunResult> {
  return JSON.parse(await readFile(join(root, "out", "runs", dir, "debug", "run.json"), "utf8")) as RunResult;
}

describe("sweep run (local)", () => {
  it("a failing point leaves the others finished; the table and sweep-results.csv have every point", async () => {
    const specPath = await sweepDir("  x: [1, 2, 3, 4]\n  failAt: 2\n");
    const out = collect();
    const err = collect();
    const code = await sweepRunCommand(specPath, { concurrency: "2" }, new AbortController().signal, { out: out.stream, err: err.stream });
    expect(code).toBe(1);
    const { points } = await loadSweep(specPath);
    const root = join(specPath, "..");
    const statuses = await Promise.all(points.map(async (p) => (await runJson(root, p.dir)).status));
    expect(statuses).toEqual(["finished", "error", "finished", "finished"]);
    // Each solver saw its own point in PHYSICSWORKS_PARAMS and inputs/parameters.json.
    const seen = JSON.parse(await readFile(join(root, "out", "runs", points[2]!.dir, "outputs", "seen.json"), "utf8")) as { fromEnv: unknown; fromFile: unknown; argv: string[] };
    expect(seen.fromEnv).toEqual({ x: 3, failAt: 2 });
    expect(seen.fromFile).toEqual({ x: 3, failAt: 2 });
    // And as --name=value after the protocol's three arguments.
    expect(seen.argv.slice(3).sort()).toEqual(["--failAt=2", "--x=3"]);

    const csv = (await readFile(join(root, "out", "sweep-results.csv"), "utf8")).trim().split("\n");
    expect(csv[0]).toBe("index,dir,x,failAt,status,duration_s,square,label");
    expect(csv).toHaveLength(5);
    expect(csv[1]).toMatch(new RegExp(`^0,${points[0]!.dir},1,2,finished,[\\d.]+,1,x1$`));
    expect(csv[2]).toMatch(new RegExp(`^1,${points[1]!.dir},2,2,error,[\\d.]+,,$`));
    expect(csv[4]).toMatch(/,finished,[\d.]+,16,x4$/);
    expect(out.text()).toMatch(/3 finished, 1 failed, 0 not run of 4 points/);
    expect(err.text()).toMatch(/error .*: the solver exited with code 3|error in [\d.]+ s: /);

    const status = collect();
    expect(await sweepStatusCommand(specPath, { json: true }, { out: status.stream, err: status.stream })).toBe(0);
    const rows = (JSON.parse(status.text()) as { points: Record<string, unknown>[] }).points;
    expect(rows.map((r) => r.status)).toEqual(["finished", "error", "finished", "finished"]);
    // Typed as the spec and results.csv have them; what a failed point did not report is null.
    expect(rows[3]).toMatchObject({ index: 3, x: 4, failAt: 2, square: 16, label: "x4" });
    expect(typeof rows[3]?.duration_s).toBe("number");
    expect(rows[1]).toMatchObject({ index: 1, status: "error", square: null, label: null });
  });

  it("after an aborted sweep, a second call runs only the points that had not finished", async () => {
    const specPath = await sweepDir("  x: [1, 2, 3, 4, 5]\n  sleepMs: 700\n");
    const root = join(specPath, "..");
    const { spec, points } = await loadSweep(specPath);
    const controller = new AbortController();
    const events: SweepEvent[] = [];
    const first = await runSweepLocal({
      spec,
      points,
      concurrency: 1,
      signal: controller.signal,
      runOptions: { pollIntervalMs: 50 },
      onEvent: (e) => {
        events.push(e);
        // Killed while the third point runs, as SIGINT to `sweep run` does.
        if (e.type === "start" && e.point.index === 2) setTimeout(() => controller.abort(new AbortError("SIGINT", "Aborted: SIGINT")), 300);
      },
    });
    expect(first.aborted).toBe(true);
    expect(first.ran).toEqual([0, 1, 2]);
    expect(first.states.map((s) => s.status)).toEqual(["finished", "finished", "error", "pending", "pending"]);
    expect((await runJson(root, points[2]!.dir)).error?.code).toBe("aborted");
    const firstStart = (await runJson(root, points[0]!.dir)).startedAt;

    const second = await runSweepLocal({ spec, points, concurrency: 2, runOptions: { pollIntervalMs: 50 } });
    expect(second.skipped.sort()).toEqual([0, 1]);
    expect(second.ran.sort()).toEqual([2, 3, 4]);
    expect(second.states.map((s) => s.status)).toEqual(["finished", "finished", "finished", "finished", "finished"]);
    expect((await runJson(root, points[0]!.dir)).startedAt).toBe(firstStart);
    expect(second.states.map((s) => s.result?.results.find((r) => r.name === "square")?.value)).toEqual([1, 4, 9, 16, 25]);

    // A third call has nothing left to do.
    const third = await runSweepLocal({ spec, points, concurrency: 2 });
    expect(third.ran).toEqual([]);
  });
});
