/**
 * The runner's edges: hostile archives from the platform are refused before anything lands outside
 * their folder; the token is redacted from everything a run leaves; a config file holding the token
 * that others can read gets a warning.
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resolveRunOptions, runSolver } from "../../src/index.js";
import { writeConfig } from "../helpers/platform-run.js";
import { runCli } from "../helpers/run-cli.js";
import { seedFile, seedRunData, startTestServer, type TestServer, plainRunData } from "../helpers/server.js";
import { useTempWorks } from "../helpers/work-dir.js";
import { recognisableToken, tokenLeaks, walk } from "../reliability/lib.js";

const { tempDir } = useTempWorks();
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.cleanup()));
});

/** Python writes the hostile archives: an independent writer, as an attacker's would be. */
const MAKERS: Record<string, string> = {
  "zip-slip": "import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1],'w')\nz.writestr('main.py','print(1)\\n')\nz.writestr('../../escaped.txt','pwned')\nz.close()",
  "absolute path": "import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1],'w')\nz.writestr('main.py','print(1)\\n')\nz.writestr('/tmp/pw-absolute-escape.txt','pwned')\nz.close()",
  "symlink out then through it":
    "import tarfile,sys,io\nt=tarfile.open(sys.argv[1],'w')\ni=tarfile.TarInfo('link');i.type=tarfile.SYMTYPE;i.linkname='../..';t.addfile(i)\nd=b'pwned';i=tarfile.TarInfo('link/escaped.txt');i.size=len(d);t.addfile(i,io.BytesIO(d))\nt.close()",
};

describe("hostile archives from the platform", () => {
  for (const [name, script] of Object.entries(MAKERS)) {
    it(`refuses a scripts archive with a ${name} entry: exit 2, nothing outside scripts/`, async () => {
      const s = await startTestServer();
      servers.push(s);
      const dir = await tempDir("pw-sec-archive-");
      const archive = join(dir, name.startsWith("symlink") ? "scripts.tar" : "scripts.zip");
      execFileSync("python3", ["-c", script, archive]);
      await seedFile(s.dataDir, "hostile", await readFile(archive));
      await seedRunData(s.dataDir, "p1", "sim1", { ...plainRunData(), physicsFeature: { config: {}, scripts: "hostile" } });
      await mkdir(join(dir, "a/b/work"), { recursive: true });
      const configPath = join(dir, "a/b/work/config.json");
      await writeConfig(configPath, { workDir: ".", host: s.url, token: s.token, project: "p1", simulation: "sim1", job: "j1", owner: "o1" });
      const before = await walk(dir);
      const run = await runCli([`--configPath=${configPath}`]);
      expect(run.code, run.stdout + run.stderr).toBe(2);
      expect(run.stdout + run.stderr).toMatch(/archive|entry|outside|link/i);
      const added = (await walk(dir)).filter((p) => !before.includes(p) && !p.startsWith("a/b/work/"));
      expect(added).toEqual([]);
      expect(await readdir("/tmp")).not.toContain("pw-absolute-escape.txt");
      expect(run.stdout + run.stderr).not.toContain(s.token);
    });
  }
});

describe("the token", () => {
  it("appears nowhere a run leaves: stdout, stderr, debug/ (journal, run.json, runner.log, platform-run.json), the request log", async () => {
    const token = recognisableToken();
    const s = await startTestServer({ token });
    servers.push(s);
    await seedRunData(s.dataDir, "p1", "sim1", plainRunData());
    const dir = await tempDir("pw-sec-token-");
    await mkdir(join(dir, "scripts"));
    // A solver that tries to leak it: prints its environment and writes it to an output, a log and state.txt.
    await writeFile(
      join(dir, "scripts/main.py"),
      "import json,os,sys\nout=[a.split('=',1)[1] for a in sys.argv if a.startswith('--outputsPath=')][0]\nprint(dict(os.environ))\nconfig=open(os.path.join(os.path.dirname(out),'config.json')).read()\nprint('config says', config, file=sys.stderr)\n" +
        // Into state.txt as a step's label, which goes to the terminal, the platform's status label and the report.
        "open(os.path.join(out,'state.txt'),'a').write('50,status '+json.loads(config)['token']+'\\n')\nraise SystemExit(3)\n",
    );
    const configPath = join(dir, "config.json");
    await writeConfig(configPath, { workDir: ".", host: s.url, token, project: "p1", simulation: "sim1", job: "j1", owner: "o1" });
    await chmod(configPath, 0o600);
    const run = await runCli([`--configPath=${configPath}`, "--debugMode", "--json"], { env: { PHYSICSWORKS_TOKEN: "" } });
    expect(run.code).toBe(1);
    const debug = await readdir(join(dir, "debug"));
    expect(debug).toEqual(expect.arrayContaining(["uploads.json", "run.json", "runner.log"]));
    const runnerFiles = ["uploads.json", "run.json", "runner.log", "platform-run.json"].map((f) => join(dir, "debug", f));
    // The server's copy of the run (its node, its updates with their status labels) is searched too.
    const leaks = await tokenLeaks(token, { stdout: run.stdout, stderr: run.stderr }, [...runnerFiles, join(s.dataDir, "requests.jsonl")], [join(s.dataDir, "runs")]);
    expect(leaks).toEqual([]);
  });

  it("is redacted from the solver's output where the runner keeps it: debug/main.txt, outputs/logs/main.log (sent to the platform), report.html", async () => {
    const token = recognisableToken();
    const dir = await tempDir("pw-sec-token-solver-");
    await mkdir(join(dir, "scripts"));
    // A solver that prints the config it was given, as solvers written for the Python runner often do.
    await writeFile(join(dir, "scripts/main.py"), "import os\nprint('config:', open(os.path.join(os.environ['PHYSICSWORKS_WORK_DIR'], 'config.json')).read())\n");
    const configPath = join(dir, "config.json");
    await writeConfig(configPath, { workDir: ".", host: "http://127.0.0.1:9/", token, project: "p1", simulation: "sim1", job: "j1", owner: "o1" });
    await chmod(configPath, 0o600);
    const run = await runCli([`--configPath=${configPath}`, "--offline", "--debugMode"], { env: { PHYSICSWORKS_TOKEN: "" } });
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(join(dir, "debug/main.txt"), "utf8")).toContain("config:");
    const leaks = await tokenLeaks(token, { stdout: run.stdout, stderr: run.stderr }, [], [join(dir, "debug"), join(dir, "outputs")]);
    expect(leaks).toEqual([]);
  });
});

describe("state.txt and secrets", () => {
  it("a secret that looks like part of a line's date still lets the line be read; only its words are redacted", async () => {
    const dir = await tempDir("pw-sec-state-");
    await mkdir(join(dir, "scripts"));
    // The host's password is "2026", as the year in every state line's timestamp.
    await writeFile(
      join(dir, "scripts/main.py"),
      "import os\nout=os.environ['PHYSICSWORKS_OUTPUTS_DIR']\nopen(os.path.join(out,'state.txt'),'a').write('2026-12-03 10:00:00,60,solving with key 2026,solve,running\\n')\n",
    );
    const configPath = join(dir, "config.json");
    await writeConfig(configPath, { workDir: ".", host: "http://user:2026@127.0.0.1:9/", token: "a-token-1234", project: "p", simulation: "s", job: "j", owner: "o" });
    await chmod(configPath, 0o600);
    const result = await runSolver({ configPath, offline: true, env: { ...process.env, PHYSICSWORKS_TOKEN: "" } });
    expect(result.status, result.error?.message).toBe("finished");
    const watch = result.stages.find((s) => s.name === "watch");
    // Read as a CSV line (its progress taken, its message the label), the password in its words redacted.
    expect(watch?.note).toMatch(/% — solving with key \*\*\*$/);
  });
});

describe("a config file holding the token", () => {
  it("warns, naming the file and chmod 600, when others can read it; says nothing at 0600", async () => {
    const dir = await tempDir("pw-sec-mode-");
    const configPath = join(dir, "config.json");
    await writeConfig(configPath, { workDir: ".", host: "http://127.0.0.1:9/", token: "secret-token-123", project: "p", simulation: "s", job: "j", owner: "o" });
    await chmod(configPath, 0o644);
    const open = await resolveRunOptions({ configPath, env: {} });
    const warning = open.warnings.find((w) => /chmod 600/.test(w));
    expect(warning).toContain(configPath);
    expect(warning).not.toContain("secret-token-123");
    await chmod(configPath, 0o600);
    expect((await resolveRunOptions({ configPath, env: {} })).warnings.filter((w) => /chmod|readable/.test(w))).toEqual([]);
    // No token in the file: no warning, whatever its mode.
    await writeConfig(configPath, { workDir: "." });
    await chmod(configPath, 0o644);
    expect((await resolveRunOptions({ configPath, env: {} })).warnings.filter((w) => /chmod|readable/.test(w))).toEqual([]);
  });

  it("shows the warning in the run's result", async () => {
    const dir = await tempDir("pw-sec-mode-run-");
    await mkdir(join(dir, "scripts"));
    await writeFile(join(dir, "scripts/main.py"), "print('ok')\n");
    const configPath = join(dir, "config.json");
    await writeConfig(configPath, { workDir: ".", host: "http://127.0.0.1:9/", token: "secret-token-456", project: "p", simulation: "s", job: "j", owner: "o" });
    await chmod(configPath, 0o644);
    const result = await runSolver({ configPath, offline: true, env: { ...process.env, PHYSICSWORKS_TOKEN: "" } });
    expect(result.warnings.some((w) => w.includes(configPath) && /chmod 600/.test(w))).toBe(true);
  });
});
