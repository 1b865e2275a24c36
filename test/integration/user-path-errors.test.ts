import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSweepSpec } from "../../src/sweep/read-spec.js";
import { natsTestGate, startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { runCli, type CliRun } from "../helpers/run-cli.js";
import { useTempWorks } from "../helpers/work-dir.js";

/**
 * Paths a user gets wrong (a file where a folder goes, a file that cannot be read, a summary cut
 * short) end as exit 2 with the path, the flag or key and the errno code: never as an internal error.
 * The tests run as whatever user CI has; a file in the way fails the same for root, EACCES does not.
 */
const { work, tempDir } = useTempWorks();
const gate = natsTestGate();

function expectUserError(run: CliRun, ...parts: string[]): void {
  expect(run.stderr).not.toContain("internal error");
  for (const part of parts) expect(run.stderr).toContain(part);
  expect(run.code, run.stderr).toBe(2);
}

describe("work folders", () => {
  it("a file where <workDir>/debug goes is a config error naming the folder and EEXIST", async () => {
    const w = await work("hello.py");
    await writeFile(join(w.dir, "debug"), "not a folder");
    expectUserError(await runCli([`--configPath=${w.configPath}`]), join(w.dir, "debug"), "EEXIST");
  });

  it("a file where outputs/logs goes is told the same way", async () => {
    const w = await work("hello.py");
    await mkdir(join(w.dir, "outputs"));
    await writeFile(join(w.dir, "outputs", "logs"), "");
    expectUserError(await runCli([`--configPath=${w.configPath}`]), join(w.dir, "outputs", "logs"), "EEXIST");
  });

  it("an archive field that names nothing, or a folder, is told by the field's name", async () => {
    // The run has begun (download fails): the reason is in its summary, on stdout.
    const summaryOf = async (configPath: string) => {
      const run = await runCli([`--configPath=${configPath}`, "--json"]);
      expect(run.code, run.stderr).toBe(2);
      return (JSON.parse(run.stdout) as { error?: { message: string } }).error?.message;
    };
    const missing = await work("hello.py", { scriptsArchive: "nope.zip" });
    expect(await summaryOf(missing.configPath)).toContain(`${missing.configPath}: "scriptsArchive": ${join(missing.dir, "nope.zip")} does not exist`);
    const folder = await work("hello.py", { inputsArchive: "scripts" });
    expect(await summaryOf(folder.configPath)).toContain(`${folder.configPath}: "inputsArchive": ${join(folder.dir, "scripts")} is a folder; give an archive`);
  });

  it.each(["debug/run.json", "outputs/state.txt", "debug/main.txt", "debug/runner.log"])("a folder where the runner writes %s is refused before the run, naming it", async (file) => {
    const w = await work("hello.py");
    await mkdir(join(w.dir, file), { recursive: true });
    expectUserError(await runCli([`--configPath=${w.configPath}`]), `${join(w.dir, file)} is a folder, where the runner writes a file: move or remove it`);
  });
});

describe("sync with a damaged debug/run.json", () => {
  const platform = { host: "http://127.0.0.1:1/", token: "t", project: "p", simulation: "s", job: "j", owner: "o" };
  const summary = { status: "finished", runId: "r1", progress: 100, results: [], outputs: [] };

  async function syncWith(runJson: string): Promise<{ run: CliRun; path: string }> {
    const w = await work("hello.py", platform);
    const path = join(w.dir, "debug", "run.json");
    await mkdir(join(w.dir, "debug"));
    await writeFile(path, runJson);
    return { run: await runCli(["sync", `--configPath=${w.configPath}`]), path };
  }

  it.each([
    ["torn JSON", JSON.stringify(summary).slice(0, 20), "not valid JSON"],
    ["null", "null", "got null"],
    ["no results", JSON.stringify({ ...summary, results: undefined }), '"results" is missing'],
    ["no outputs", JSON.stringify({ ...summary, outputs: undefined }), '"outputs" is missing'],
    ["outputs not a list", JSON.stringify({ ...summary, outputs: {} }), '"outputs" is not a list'],
  ])("%s is not a run summary, told before the platform is tried", async (_, text, why) => {
    const { run, path } = await syncWith(text);
    expectUserError(run, `${path} is not a run summary (`, why);
  });

  it("run.json that cannot be read names the path and the code", async () => {
    const w = await work("hello.py", platform);
    const path = join(w.dir, "debug", "run.json");
    await mkdir(path, { recursive: true });
    expectUserError(await runCli(["sync", `--configPath=${w.configPath}`]), path, "EISDIR");
  });
});

describe("serve", () => {
  it("--tokenFile that cannot be read names the flag, the path and the code", async () => {
    const dir = await tempDir("pw-serve-");
    const missing = join(dir, "no-token");
    expectUserError(await runCli(["serve", "--data", join(dir, "data"), "--tokenFile", missing]), "--tokenFile", missing, "ENOENT");
  });

  it("--jwtSecretFile that is a folder names the flag, the path and the code, for serve and for token", async () => {
    const dir = await tempDir("pw-serve-");
    expectUserError(await runCli(["serve", "--data", join(dir, "data"), "--jwtSecretFile", dir]), "--jwtSecretFile", dir, "EISDIR");
    expectUserError(await runCli(["token", "--sub", "me", "--jwtSecretFile", dir]), "--jwtSecretFile", dir, "EISDIR");
  });

  it("an empty --tokenFile is told as such, not as a missing token", async () => {
    const dir = await tempDir("pw-serve-");
    await writeFile(join(dir, "token"), "\n");
    expectUserError(await runCli(["serve", "--data", join(dir, "data"), "--tokenFile", join(dir, "token")]), "--tokenFile", "is empty");
  });

  it("--data that is a file, or under one, is refused before the server starts", async () => {
    const dir = await tempDir("pw-serve-");
    const file = join(dir, "data");
    await writeFile(file, "");
    expectUserError(await runCli(["serve", "--data", file, "--token", "t"]), "--data", file, "EEXIST");
    expectUserError(await runCli(["serve", "--data", join(file, "sub"), "--token", "t"]), "--data", "ENOTDIR");
    expectUserError(await runCli(["serve", "--data", file, "--solvers", dir]), "--data", file, "EEXIST");
  });
});

describe("sweep spec root", () => {
  async function specWithRoot(root: string): Promise<{ dir: string; spec: string }> {
    const dir = await tempDir("pw-sweep-root-");
    await mkdir(join(dir, "solver"));
    await writeFile(join(dir, "solver", "main.mjs"), "");
    await writeFile(join(dir, "taken"), "");
    const spec = join(dir, "sweep.yaml");
    await writeFile(spec, `base: {mainScript: main.mjs}\nscripts: ./solver\nroot: ${root}\nparameters:\n  x: [1, 2]\n`);
    return { dir, spec };
  }

  it("a root that is a file is a config error naming the spec and root", async () => {
    const { dir, spec } = await specWithRoot("./taken");
    await expect(readSweepSpec(spec)).rejects.toMatchObject({ name: "ConfigError", exitCode: 2, message: `${spec}: root must be a folder; ${join(dir, "taken")} is a file` });
    expectUserError(await runCli(["sweep", "plan", spec]), spec, "root", join(dir, "taken"));
  });

  it("a root under a file says ENOTDIR; a root not made yet is fine", async () => {
    const under = await specWithRoot("./taken/out");
    await expect(readSweepSpec(under.spec)).rejects.toThrow(/root must be a folder; .*taken\/out \(ENOTDIR\)/);
    const fresh = await specWithRoot("./out");
    expect((await readSweepSpec(fresh.spec)).root).toBe(join(fresh.dir, "out"));
  });
});

describe("submit", () => {
  it("a missing config is exit 2 although NATS cannot be reached either", async () => {
    const dir = await tempDir("pw-submit-");
    const missing = join(dir, "nope.json");
    const run = await runCli(["submit", "--nats", "nats://127.0.0.1:1", missing]);
    expectUserError(run, missing);
    expect(run.stderr).toContain(`${missing}: config file not found (check the config files named to submit, and that workers see the same path)`);
    expect(run.stderr).not.toContain("NATS");
  });

  it("an unknown key is warned about before NATS is reached: also when it then cannot be (exit 3)", async () => {
    const dir = await tempDir("pw-submit-typo-");
    const config = join(dir, "config.json");
    await writeFile(config, JSON.stringify({ workDir: ".", mainScrpt: "main.py" }));
    const run = await runCli(["submit", "--nats", "nats://127.0.0.1:1", config]);
    expect(run.code).toBe(3);
    const warning = run.stderr.indexOf(`warning: ${config}: unknown field "mainScrpt" is ignored; did you mean "mainScript"?`);
    expect(warning, run.stderr).toBeGreaterThanOrEqual(0);
    expect(warning).toBeLessThan(run.stderr.indexOf("NATS"));
  });
});

describe.skipIf(gate.skip)("worker (real nats-server -js)", () => {
  let nats: NatsServer;
  beforeAll(async () => {
    nats = await startNatsServer();
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it("--workRoot that is a file is a usage error naming --workRoot and EEXIST", async () => {
    const dir = await tempDir("pw-worker-");
    const file = join(dir, "runs");
    await writeFile(file, "");
    expectUserError(await runCli(["worker", "--nats", nats.url, "--workRoot", file, "--quiet"], { timeoutMs: 20_000 }), "--workRoot", file, "EEXIST");
  });

  it("a worker whose start hangs (a --workRoot under /proc: Node's recursive mkdir spins there) still stops at SIGTERM (143)", async () => {
    let pid = 0;
    const running = runCli(["worker", "--nats", nats.url, "--workRoot", "/proc/pw-no-such-folder"], { timeoutMs: 20_000, onStart: (p) => (pid = p) });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const signalled = Date.now();
    process.kill(pid, "SIGTERM");
    const run = await running;
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(run.code, run.stderr).toBe(143);
    expect(run.stderr).toContain("SIGTERM: stopped while starting; nothing was taken");
  });
});
