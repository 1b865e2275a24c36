import { execFileSync } from "node:child_process";
import { cp, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSolver, type RunEvent } from "../../src/index.js";
import { isAlive, readPids, waitFor } from "../helpers/pids.js";
import { FIXTURE_SOLVERS, REPO_ROOT, useTempWorks } from "../helpers/work-dir.js";

const { work, tempDir } = useTempWorks();

describe("runSolver()", () => {
  it("keeps every byte of a solver that prints 5 MB", async () => {
    const w = await work("big-output.py");
    const result = await runSolver({ configPath: w.configPath, env: { ...process.env, BIG_OUTPUT_BYTES: String(5_000_000) } });
    expect(result.status).toBe("finished");
    const debug = await readFile(join(w.dir, "debug/main.txt"), "utf8");
    const live = await stat(join(w.dir, "outputs/logs/main.log"));
    expect(debug.length).toBeGreaterThanOrEqual(5_000_000);
    expect(live.size).toBe(Buffer.byteLength(debug));
    const numbered = debug.split("\n").filter((l) => /^\d{10} /.test(l));
    // 5,000,000 bytes of 64-byte lines: all of them, in order, none missing.
    expect(numbered.length).toBe(Math.floor(5_000_000 / 64));
    numbered.forEach((l, i) => {
      if (l.slice(0, 10) !== String(i).padStart(10, "0")) throw new Error(`line ${i} out of order: ${l.slice(0, 20)}`);
    });
  });

  it("ends the solver and its grandchild when the caller's AbortSignal fires", async () => {
    const w = await work("grandchild.py");
    const pidsFile = join(w.dir, "pids.json");
    const controller = new AbortController();
    const running = runSolver({ configPath: w.configPath, grace: "1s", signal: controller.signal, env: { ...process.env, PIDS_FILE: pidsFile } });
    const pids = await readPids(pidsFile);
    const asked = Date.now();
    controller.abort();
    const result = await running;
    expect(Date.now() - asked).toBeLessThan(1000 + 2000);
    await waitFor(() => !isAlive(pids.child as number) && !isAlive(pids.grandchild as number), 1000, "the group to be gone");
    expect(result.status).toBe("error");
    expect(result.exitCode).toBe(1);
    expect(result.error).toEqual({ code: "aborted", message: "Aborted by user" });
  });

  it("does not end the run on a finished step; reads quoted state lines and results", async () => {
    const w = await work("state-steps.py");
    const events: RunEvent[] = [];
    const result = await runSolver({ configPath: w.configPath, pollIntervalMs: 50, onEvent: (e) => events.push(e) });
    expect(result.status).toBe("finished");
    const labels = events.filter((e) => e.type === "progress").map((e) => (e as { label: string }).label);
    expect(labels).toContain('mesh done, "fine" grid');
    expect(labels).toContain("solve, all steps");
    // The solver's 50 % is the run's 50 % of the solver band (10→90).
    const progress = events.filter((e) => e.type === "progress").map((e) => (e as { progress: number }).progress);
    expect(progress).toContain(50);
    expect(progress.at(-1)).toBe(100);
    expect(result.results).toEqual([
      { name: "energy", type: "scalar", value: 1.5 },
      { name: "label", type: "ascii", value: "a, b" },
      { name: "ok", type: "boolean", value: true },
    ]);
    const stages = events.filter((e) => e.type === "stage").map((e) => (e as { stage: { name: string; status: string } }).stage);
    expect(stages.filter((s) => s.status === "finished").map((s) => s.name)).toEqual(["init", "download", "execute", "watch", "post-process"]);
  });

  it("does not report an earlier run's results.csv when the solver did not start; reports it when post-process runs alone", async () => {
    const w = await work("state-steps.py");
    await mkdir(join(w.dir, "outputs"), { recursive: true });
    await writeFile(join(w.dir, "outputs/results.csv"), "name,type,value\nenergy,scalar,99\n");
    const config = JSON.parse(await readFile(w.configPath, "utf8")) as Record<string, unknown>;
    await writeFile(w.configPath, JSON.stringify({ ...config, mainScript: "missing.py" }));
    const failed = await runSolver({ configPath: w.configPath });
    expect(failed.exitCode).toBe(2);
    expect(failed.results).toEqual([]);
    expect(failed.warnings.join("\n")).toContain("outputs/results.csv is from an earlier run (the solver did not start in this one)");

    // An interpreter that is not there is the set-up's error too (exit 2), and the solver did not start.
    await writeFile(w.configPath, JSON.stringify({ ...config, command: "no-such-interp-9" }));
    const noInterpreter = await runSolver({ configPath: w.configPath });
    expect(noInterpreter.exitCode).toBe(2);
    expect(noInterpreter.error?.message).toContain('"no-such-interp-9" was not found on PATH');
    expect(noInterpreter.results).toEqual([]);

    const alone = await runSolver({ configPath: w.configPath, startingStage: "post-process" });
    expect(alone.results).toEqual([{ name: "energy", type: "scalar", value: 99 }]);
    expect(alone.warnings.join("\n")).not.toContain("earlier run");

    // A solver that ran but did not write results.csv: the one there, untouched since before it started, is not its.
    const hello = join(w.dir, "scripts/hello.py");
    await writeFile(hello, "print('no results this time')\n");
    await writeFile(w.configPath, JSON.stringify({ ...config, mainScript: "hello.py" }));
    const ran = await runSolver({ configPath: w.configPath });
    expect(ran.status).toBe("finished");
    expect(ran.results).toEqual([]);
    expect(ran.warnings.join("\n")).toMatch(/outputs\/results\.csv is as it was before the solver started \(last written .*\): it is an earlier run's/);

    // One the solver puts there with an old mtime (a copy that keeps it, a clock that lags) is its own.
    await writeFile(
      hello,
      "import os, shutil, sys\nout = [a.split('=', 1)[1] for a in sys.argv if a.startswith('--outputsPath=')][0]\n" +
        "src = os.path.join(out, '..', 'cached.csv')\nwith open(src, 'w') as f: f.write('name,type,value\\nenergy,scalar,7\\n')\n" +
        "os.utime(src, (1, 1))\nshutil.copy2(src, os.path.join(out, 'results.csv'))\n",
    );
    const copied = await runSolver({ configPath: w.configPath });
    expect(copied.results).toEqual([{ name: "energy", type: "scalar", value: 7 }]);
    expect(copied.warnings.join("\n")).not.toContain("earlier run");
  });

  it("names a program's options in its errors (options.skipStages), not the CLI's flags", async () => {
    const w = await work("hello.py");
    await expect(runSolver({ configPath: w.configPath, skipStages: "uplod" })).rejects.toThrow(/^options\.skipStages: unknown stage "uplod"/);
    await expect(runSolver({ configPath: w.configPath, timeout: "soon" })).rejects.toThrow(/^options\.timeout/);
  });

  it("goes on when the onEvent callback throws, and says so once in runner.log", async () => {
    const w = await work("state-steps.py");
    let calls = 0;
    const result = await runSolver({
      configPath: w.configPath,
      onEvent: () => {
        calls++;
        throw new Error("callback broke");
      },
    });
    expect(result.status).toBe("finished");
    expect(calls).toBeGreaterThan(3);
    const log = await readFile(join(w.dir, "debug/runner.log"), "utf8");
    expect(log.match(/the onEvent callback threw \(callback broke\)/g)).toHaveLength(1);
  });

  it("watches a YAML config for abort too, and says when it cannot: an abort that is not true or false, a file that does not parse", async () => {
    const w = await work("sleeper.py");
    const yamlPath = join(w.dir, "config.yaml");
    const base = "workDir: .\nmainScript: sleeper.py\n";
    await writeFile(yamlPath, base);
    const warnings: string[] = [];
    const running = runSolver({ configPath: yamlPath, pollIntervalMs: 50, grace: "1s", onEvent: (e) => void (e.type === "warning" && warnings.push(e.message)) });
    await waitFor(async () => (await readFile(join(w.dir, "debug/main.txt"), "utf8").catch(() => "")).includes("sleeping"), 10_000, "the solver to start");
    await writeFile(yamlPath, `${base}abort: yes please\n`);
    await waitFor(() => warnings.some((m) => m.includes('"abort" must be true or false (got "yes please")')), 5000, "the warning about abort");
    await writeFile(yamlPath, `${base}abort: [true\n`);
    await waitFor(() => warnings.some((m) => m.includes("not valid YAML")), 5000, "the warning about the YAML");
    await writeFile(yamlPath, `${base}abort: true\n`);
    const result = await running;
    expect(result.error?.message).toBe("Aborted by user");
    expect(warnings.filter((m) => m.includes('"abort" in it is not watched until that is fixed'))).toHaveLength(2);
  });

  it("ends error when state.txt reports an error although the solver exits 0", async () => {
    const w = await work("error-word.py");
    const result = await runSolver({ configPath: w.configPath });
    expect(result.solver?.exitCode).toBe(0);
    expect(result.status).toBe("error");
    expect(result.exitCode).toBe(1);
    expect(result.error?.message).toContain("linear solver failed to converge");
    expect(result.warnings.join("\n")).toContain("state.txt reports an error");
  });

  it("runs the node-solver example: a .mjs solver, free-text state.txt, long-form results.csv", async () => {
    const dir = await tempDir("pw-node-solver-");
    await cp(join(REPO_ROOT, "examples/node-solver"), dir, { recursive: true });
    const events: RunEvent[] = [];
    const result = await runSolver({ configPath: join(dir, "config.json"), onEvent: (e) => events.push(e) });
    expect(result.status, result.error?.message).toBe("finished");
    expect(result.results.find((r) => r.name === "accurate")).toEqual({ name: "accurate", type: "boolean", value: true });
    expect(result.results.find((r) => r.name === "steps")).toMatchObject({ type: "scalar", value: 20000 });
    expect(result.outputs.map((o) => o.path)).toContain("plots/trajectory.csv");
    // Free-text progress ("40%") arrived while it ran, mapped into the solver band.
    const seen = events.filter((e) => e.type === "progress").map((e) => (e as { progress: number }).progress);
    expect(seen.some((p) => p > 10 && p < 90)).toBe(true);
  });

  it("natively unpacks scriptsArchive into scripts/ and runs it", async () => {
    const dir = await tempDir("pw-archive-run-");
    const zip = join(dir, "scripts.zip");
    execFileSync("python3", ["-c", `import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w'); z.write(sys.argv[2],'main.py'); z.close()`, zip, join(FIXTURE_SOLVERS, "hello.py")]);
    await writeFile(join(dir, "config.json"), JSON.stringify({ workDir: "work", scriptsArchive: "scripts.zip" }));
    await mkdir(join(dir, "work"));
    const result = await runSolver({ configPath: join(dir, "config.json"), env: { ...process.env, PHYSICSWORKS_TOKEN: "never-passed-on" } });
    expect(result.status).toBe("finished");
    const output = await readFile(join(dir, "work/debug/main.txt"), "utf8");
    expect(output).toContain("hello");
    expect(output).toContain(`PHYSICSWORKS_OUTPUTS_DIR=${join(dir, "work/outputs")}`);
    // The runner's token is not the solver's business unless config says passToken.
    expect(output).not.toContain("never-passed-on");
    expect(result.stages.find((s) => s.name === "download")?.note).toMatch(/^scripts: 1 entries/);
  });
});
