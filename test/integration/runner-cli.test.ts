import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunResult } from "../../src/run-result.js";
import { isAlive, readPids, waitFor } from "../helpers/pids.js";
import { runCli } from "../helpers/run-cli.js";
import { REPO_ROOT, useTempWorks } from "../helpers/work-dir.js";

const { work, tempDir } = useTempWorks();

describe("the CLI", () => {
  it("runs the heat1d example natively to finished with results and outputs", async () => {
    const dir = await tempDir("pw-heat1d-");
    await cp(join(REPO_ROOT, "examples/heat1d"), dir, { recursive: true });
    const run = await runCli([`--configPath=${join(dir, "config.json")}`, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.status).toBe("finished");
    expect(result.progress).toBe(100);
    expect(result.stages.map((s) => [s.name, s.status])).toEqual([
      ["init", "finished"],
      ["download", "finished"],
      ["watch", "finished"],
      ["execute", "finished"],
      ["post-process", "finished"],
    ]);
    const names = result.results.map((r) => r.name);
    expect(names).toContain("max_temperature");
    expect(result.results.find((r) => r.name === "converged")).toEqual({ name: "converged", type: "boolean", value: true });
    const outputs = result.outputs.map((o) => o.path);
    expect(outputs).toEqual(expect.arrayContaining(["plots/temperature.csv", "plots/midpoint.csv", "results.csv", "state.txt", "logs/main.log"]));
    // Not interactive: progress comes as plain timestamped lines on stderr (stdout holds the JSON).
    expect(run.stderr).toMatch(/^\d\d:\d\d:\d\d \d+\.\d% /m);
    expect(JSON.parse(await readFile(join(dir, "debug/run.json"), "utf8"))).toMatchObject({ status: "finished", exitCode: 0 });
  });

  it("prints a summary with the last lines of a crashing solver and exits 1", async () => {
    const w = await work("crash.py");
    const run = await runCli([`--configPath=${w.configPath}`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Run ERROR");
    expect(run.stdout).toContain("exited with code 3");
    expect(run.stdout).toContain("ValueError: boom");
    // What was written is still taken stock of: post-process ran after the failure.
    expect(run.stdout).toMatch(/post-process\s+finished/);
  });

  it("ends the solver and its grandchild when config.json says abort", async () => {
    const w = await work("grandchild.py");
    const pidsFile = join(w.dir, "pids.json");
    const running = runCli([`--configPath=${w.configPath}`, "--grace=2s", "--json"], { env: { PIDS_FILE: pidsFile } });
    const pids = await readPids(pidsFile);
    const config = JSON.parse(await readFile(w.configPath, "utf8")) as Record<string, unknown>;
    const asked = Date.now();
    await writeFile(w.configPath, JSON.stringify({ ...config, abort: true }));
    const run = await running;
    await waitFor(() => !isAlive(pids.child as number) && !isAlive(pids.grandchild as number), 2000 + 2000, "the solver group to end");
    expect(Date.now() - asked).toBeLessThan(2000 + 2000 + 1000);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.status).toBe("error");
    expect(result.error?.message).toBe("Aborted by user");
  });

  it("forwards SIGTERM to the solver's process group and exits 143", async () => {
    const w = await work("grandchild.py");
    const pidsFile = join(w.dir, "pids.json");
    let runnerPid = 0;
    const running = runCli([`--configPath=${w.configPath}`, "--grace=2s"], {
      env: { PIDS_FILE: pidsFile },
      onStart: (pid) => (runnerPid = pid),
    });
    const pids = await readPids(pidsFile);
    process.kill(runnerPid, "SIGTERM");
    const run = await running;
    expect(run.code).toBe(143);
    expect(isAlive(pids.child as number)).toBe(false);
    expect(isAlive(pids.grandchild as number)).toBe(false);
    expect(run.stdout).toContain("Aborted: the runner received SIGTERM");
  });

  it("a second SIGINT stops at once, says so, and kills a solver that ignores SIGTERM (exit 130)", async () => {
    const w = await work("ignore-term.py");
    const pidsFile = join(w.dir, "pids.json");
    let runnerPid = 0;
    const running = runCli([`--configPath=${w.configPath}`, "--grace=60s"], { env: { PIDS_FILE: pidsFile }, onStart: (pid) => (runnerPid = pid) });
    const pids = await readPids(pidsFile);
    process.kill(runnerPid, "SIGINT");
    await waitFor(async () => (await readFile(join(w.dir, "debug/main.txt"), "utf8")).includes("ignoring SIGTERM"), 5000, "the solver to get SIGTERM");
    const asked = Date.now();
    process.kill(runnerPid, "SIGINT");
    const run = await running;
    expect(Date.now() - asked).toBeLessThan(5000);
    expect(run.code).toBe(130);
    expect(run.stderr).toContain("a second SIGINT: stopping at once");
    await waitFor(() => !isAlive(pids.child as number), 2000, "the solver to be killed");
  });

  it("one SIGTERM delivered twice at once (GNU timeout signals its child, then its group) is one: the run cleans up (exit 143)", async () => {
    // A solver that outlives SIGTERM by its grace: the runner is still there for the second delivery.
    const w = await work("ignore-term.py");
    let runnerPid = 0;
    const running = runCli([`--configPath=${w.configPath}`, "--json", "--grace=2s"], { env: { PIDS_FILE: join(w.dir, "pids.json") }, onStart: (pid) => (runnerPid = pid) });
    await readPids(join(w.dir, "pids.json"));
    process.kill(runnerPid, "SIGTERM");
    // Not at the same instant: the kernel would merge two pending SIGTERMs into one. The runner has
    // taken the first by now, as when timeout's second arrives.
    await new Promise((resolve) => setTimeout(resolve, 150));
    process.kill(runnerPid, "SIGTERM");
    const run = await running;
    expect(run.code, run.stderr).toBe(143);
    expect(run.stderr).not.toContain("a second SIGTERM");
    expect((JSON.parse(run.stdout) as RunResult).status).not.toBe("running");
    expect(JSON.parse(await readFile(join(w.dir, "debug/run.json"), "utf8"))).toMatchObject({ exitCode: 143 });
  });

  it("ends a run that passes --timeout", async () => {
    const w = await work("sleeper.py");
    const started = Date.now();
    const run = await runCli([`--configPath=${w.configPath}`, "--timeout=1s", "--grace=1s", "--json"]);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as RunResult).error?.message).toMatch(/the run exceeded its time limit of 1\.0s \(--timeout/);
  });

  it("takes the config's grace when --grace is not given: a solver that ignores SIGTERM is killed 1 s after it, not 10 s", async () => {
    const dir = await tempDir("pw-config-grace-");
    const w = await work("ignore-term.py", { timeout: "1s", grace: "1s" });
    const started = Date.now();
    const run = await runCli([`--configPath=${w.configPath}`, "--json"], { env: { PIDS_FILE: join(dir, "pids.json") } });
    expect(run.code, run.stderr).toBe(1);
    expect((JSON.parse(run.stdout) as RunResult).error?.message).toMatch(/time limit/);
    // 1 s of run, 1 s of grace, the runner's start and end: far below the default grace of 10 s.
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it("skips stages before --startingStage and those in --skipStages", async () => {
    const w = await work("hello.py");
    const run = await runCli([`--configPath=${w.configPath}`, "--startingStage=download", "--skipStages=post-process", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.stages.map((s) => [s.name, s.status, s.note ?? ""])).toEqual([
      ["init", "skipped", "before --startingStage=download"],
      ["download", "finished", "nothing to fetch: using scripts/ and inputs/ as they are"],
      ["watch", "finished", expect.any(String)],
      ["execute", "finished", expect.stringMatching(/^exit 0/)],
      ["post-process", "skipped", "--skipStages"],
    ]);
  });

  it("--startingStage=execute runs the watcher beside the solver: state.txt's error word still ends the run error", async () => {
    const w = await work("error-word.py");
    const run = await runCli([`--configPath=${w.configPath}`, "--startingStage=execute", "--json"]);
    expect(run.code, run.stderr).toBe(1);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.stages.map((s) => [s.name, s.status])).toEqual([
      ["init", "skipped"],
      ["download", "skipped"],
      ["watch", "finished"],
      ["execute", "finished"],
      ["post-process", "finished"],
    ]);
    expect(result.status).toBe("error");
    expect(result.error?.message).toContain("linear solver failed to converge");
    // The watcher read state.txt: its progress line went by.
    expect(run.stderr).toMatch(/ \d+\.\d% linear solver failed to converge/);
  });

  it("an empty flag value (an unset shell variable) is exit 2 naming the flag, in every command", async () => {
    for (const args of [["--tokenFile=", "--configPath=c.json"], ["serve", "--data", "", "--token", "t"], ["sync", "--configPath="], ["sweep", "run", "s.yaml", "--stream="]]) {
      const run = await runCli(args);
      const flag = (args.find((a) => a.endsWith("=")) ?? "--data=").slice(0, -1);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toContain(`${flag} was given an empty value (an unset shell variable?)`);
    }
    // Empty stage flags mean "none", as the Python runner's launch scripts pass them.
    const w = await work("hello.py");
    const stages = await runCli([`--configPath=${w.configPath}`, "--startingStage=", "--skipStages="]);
    expect(stages.code, stages.stderr).toBe(0);
  });

  it("sweep run refuses the local scheduler's flags with another scheduler (they would be ignored), before it reads the spec", async () => {
    const nats = await runCli(["sweep", "run", "no-such.yaml", "--scheduler", "nats", "--concurrency", "3"]);
    expect(nats.code).toBe(2);
    expect(nats.stderr).toContain("--concurrency only goes with --scheduler local; with --scheduler nats, each worker's own flags say");
    const slurm = await runCli(["sweep", "run", "no-such.yaml", "--scheduler", "slurm", "--timeout", "1h", "--quiet"]);
    expect(slurm.code).toBe(2);
    expect(slurm.stderr).toContain("--timeout, --quiet only go with --scheduler local; with --scheduler slurm, the spec's slurm fields say (slurm.maxParallel, slurm.time)");
  });

  it("token refuses a secret serve would refuse (under 16 characters), and mints with one it takes", async () => {
    const short = await runCli(["token", "--sub", "me", "--jwtSecret", "eleven-char"]);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("the secret must be at least 16 characters, as serve requires (got 11)");
    const good = await runCli(["token", "--sub", "me", "--jwtSecret", "sixteen-chars-ok"]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout.trim().split(".")).toHaveLength(3);
  });

  it("refuses an unknown stage with the list of stages (exit 2)", async () => {
    const w = await work("hello.py");
    const run = await runCli([`--configPath=${w.configPath}`, "--skipStages=uplod"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--skipStages: unknown stage "uplod"; the stages are init, download, watch, execute, post-process');
  });

  it("a stray word: a config file is pointed to --configPath, a command's typo gets the command (exit 2)", async () => {
    const file = await runCli(["config.json"]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain("(a config file goes with --configPath: physicsworks-solve --configPath=config.json; the commands are serve, sync,");
    // A flag's typo in the --flag=value form gets the flag meant, as the space form does from commander.
    const flag = await runCli(["--configpath=config.json"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--configpath=config.json'\n(Did you mean --configPath?)");
    const typo = await runCli(["sevre", "--port", "0"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('("sevre" is not a command; did you mean "serve"?)');
    // An option's value given after a space is not the stray word.
    const afterValue = await runCli(["--timeout", "2h", "config.yaml"]);
    expect(afterValue.stderr).toContain("--configPath=config.yaml;");
    const noStray = await runCli(["--workDir", "work", "--debugMod"]);
    expect(noStray.stderr).not.toContain("is not a command");
    // A command's own extra word is the command's error, without the hint.
    const own = await runCli(["sweep", "plan", "a.yaml", "b.yaml"]);
    expect(own.code).toBe(2);
    expect(own.stderr).not.toContain("--configPath");
  });

  it("takes --debugMode bare or as true/false, and refuses any other value (exit 2)", async () => {
    const w = await work("hello.py");
    const bad = await runCli([`--configPath=${w.configPath}`, "--debugMode=maybe"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--debugMode takes true or false (also 1/0, yes/no, on/off), or nothing for true; got "maybe"');
    const off = await runCli([`--configPath=${w.configPath}`, "--debugMode=False", "--json"]);
    expect(off.code, off.stderr).toBe(0);
    // A Python-style script passes --debugMode=False always: beside --quiet it is no conflict; true is.
    const quietOff = await runCli([`--configPath=${w.configPath}`, "--debugMode=False", "--quiet"]);
    expect(quietOff.code, quietOff.stderr).toBe(0);
    expect(quietOff.stdout).toBe("");
    const quietOn = await runCli([`--configPath=${w.configPath}`, "--debugMode", "--quiet"]);
    expect(quietOn.code).toBe(2);
    expect(quietOn.stderr).toContain("--quiet and --debugMode ask for opposite things");
  });

  it("checks the upload flags: a bad --uploadConcurrency, --flushTime or --settleTime is exit 2 naming the flag", async () => {
    const w = await work("hello.py");
    let run = await runCli([`--configPath=${w.configPath}`, "--uploadConcurrency=0"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--uploadConcurrency must be a whole number from 1 to 64 (got "0")');
    run = await runCli([`--configPath=${w.configPath}`, "--uploadConcurrency=4.0"]);
    expect(run.code).toBe(2);
    run = await runCli([`--configPath=${w.configPath}`, "--flushTime=0"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--flushTime must be longer than 0 (got "0")');
    run = await runCli([`--configPath=${w.configPath}`, "--settleTime=soon", "--filesDuringRun"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--settleTime must be a duration such as "30s", "10m", "1h30m" or a number of seconds (got "soon")');
    // Past setTimeout's limit a timer would fire at once: refused, not a run stopped on the spot.
    for (const flag of ["--flushTime=30d", "--timeout=25d", "--settleTime=600h"]) {
      run = await runCli([`--configPath=${w.configPath}`, flag, "--filesDuringRun"]);
      expect(run.code, flag).toBe(2);
      expect(run.stderr).toContain(`${flag.split("=")[0]} must be at most 24 days`);
    }
    run = await runCli([`--configPath=${w.configPath}`, "--uploadConcurrency=8", "--flushTime=1m", "--filesDuringRun", "--settleTime=500ms", "--json"]);
    expect(run.code, run.stderr).toBe(0);
  });

  it("worker checks its flags before it connects: a bad --busyDelay, --ackWait or --grace, an empty --workRoot is exit 2 naming the flag", async () => {
    // No NATS server at this address: a check made after connecting would end with exit 3 instead.
    const nats = ["--nats", "nats://127.0.0.1:1", "--quiet"];
    for (const [flag, message] of [
      ["--busyDelay=soon", '--busyDelay must be a duration such as "30s"'],
      ["--busyDelay=30d", "--busyDelay must be at most 24 days"],
      ["--ackWait=500ms", "--ackWait must be at least 1s"],
      ["--grace=-1", "--grace must be a duration"],
      ["--workRoot=", '--workRoot was given an empty value (an unset shell variable?): give <dir>, or leave the flag out (its default is "./physicsworks-runs")'],
    ] as const) {
      const run = await runCli(["worker", flag, ...nats], { timeoutMs: 20_000 });
      expect(run.code, `${flag}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });

  it("refuses bad configs with exit 2 and a message naming the file and field", async () => {
    const w = await work("hello.py");
    await writeFile(w.configPath, "{ not json");
    let run = await runCli([`--configPath=${w.configPath}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${w.configPath}: not valid JSON`);

    await writeFile(w.configPath, JSON.stringify({ mainScript: "hello.py" }));
    run = await runCli([`--configPath=${w.configPath}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"workDir" is missing');

    await writeFile(w.configPath, JSON.stringify({ workDir: ".", mainScript: 7, grace: "soon" }));
    run = await runCli([`--configPath=${w.configPath}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/"mainScript"|"grace"/);

    await writeFile(w.configPath, JSON.stringify({ workDir: ".", mainScript: "hello.py", timout: "5s" }));
    run = await runCli([`--configPath=${w.configPath}`]);
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).toContain('unknown field "timout" is ignored; did you mean "timeout"?');
  });

  it("has help with examples and a version", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Examples:");
    expect(help.stdout).toContain("--startingStage");
    const version = await runCli(["--version"]);
    expect(version.code).toBe(0);
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
    const bad = await runCli(["--nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^physicsworks-solve: unknown option .--nope./);
  });
});
