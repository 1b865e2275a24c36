import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/config/duration.js";
import { ConfigError, UsageError } from "../../src/errors.js";
import { resolveRunOptions } from "../../src/options.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pw-options-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function config(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe("resolveRunOptions", () => {
  it("resolves workDir and archives against the config file's folder, with defaults", async () => {
    await mkdir(join(dir, "work"));
    const path = await config("config.json", JSON.stringify({ workDir: "work", scriptsArchive: "s.zip" }));
    const { options, warnings } = await resolveRunOptions({ configPath: path, env: {} });
    expect(options.workDir).toBe(join(dir, "work"));
    expect(options.scriptsArchive).toBe(join(dir, "s.zip"));
    expect(options.mainScript).toBe("main.py");
    expect(options.graceMs).toBe(10_000);
    expect(options.platform).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it("reads YAML configs", async () => {
    const path = await config("config.yaml", `workDir: .\nmainScript: run.sh\ncommand: bash -e\ngrace: 2s\n`);
    const { options } = await resolveRunOptions({ configPath: path, env: {} });
    expect(options.mainScript).toBe("run.sh");
    expect(options.command).toEqual(["bash", "-e"]);
    expect(options.graceMs).toBe(2000);
  });

  it("refuses a file that is not JSON, naming the file and the line", async () => {
    const path = await config("config.json", `{"workDir": ".",\n "host": }`);
    const error = await resolveRunOptions({ configPath: path, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toBe(`${path}: not valid JSON (line 2, column 10): unexpected character`);
  });

  it("never quotes the text around a parse fault: the token may be on that line", async () => {
    const cases = [
      ["config.json", `{\n  "workDir": ".",\n  "token": SECRETTOKEN123,\n  "mainScript": "main.py"\n}`, "(line 3, column 12): unexpected character"],
      ["short.json", `{"token": SECRETTOKEN123}`, "(line 1, column 11): unexpected character"],
      ["ctrl.json", `{"token": "SECRET\tTOKEN123\n"}`, "(line 1, column 18): bad control character in string literal"],
      ["config.yaml", `workDir: .\ntoken: SECRETTOKEN123\n  mainScript: x: y\n`, "(line 3, column 13): bad indentation of a mapping entry"],
    ] as const;
    for (const [name, text, problem] of cases) {
      const path = await config(name, text);
      const error = (await resolveRunOptions({ configPath: path, env: {} }).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).not.toContain("SECRET");
      expect(error.message, name).toBe(`${path}: not valid ${name.endsWith(".json") ? "JSON" : "YAML"} ${problem}`);
      expect(error.cause).toBeUndefined();
    }
  });

  it("names the missing workDir and how to fix it", async () => {
    const path = await config("config.json", JSON.stringify({ mainScript: "main.py" }));
    // A program is pointed to its option, the CLI to its flag.
    await expect(resolveRunOptions({ configPath: path, env: {} })).rejects.toThrow(/"workDir" is missing.*pass options\.workDir$/);
    await expect(resolveRunOptions({ configPath: path, env: {} }, "run", "flags")).rejects.toThrow(/"workDir" is missing.*pass --workDir$/);
    await expect(resolveRunOptions({ env: {} })).rejects.toThrow("no work directory: give options.configPath (a config file with \"workDir\"), options.workDir or options.config.workDir");
    await expect(resolveRunOptions({ env: {} }, "run", "flags")).rejects.toThrow('no work directory: pass --configPath=config.json (with "workDir") or --workDir=DIR');
    // A misspelling of it is named in the error: the warning that would say so comes too late.
    const typo = await config("typo.json", JSON.stringify({ workdir: "." }));
    await expect(resolveRunOptions({ configPath: typo, env: {} })).rejects.toThrow(`"workDir" is missing; set it`);
    await expect(resolveRunOptions({ configPath: typo, env: {} })).rejects.toThrow(`\n  ${typo}: unknown field "workdir" is ignored; did you mean "workDir"?`);
  });

  it("names a field of the wrong type and its value", async () => {
    const path = await config("config.json", JSON.stringify({ workDir: ".", abort: "yes" }));
    await expect(resolveRunOptions({ configPath: path, env: {} })).rejects.toThrow(`${path}: "abort" must be true or false (got "yes")`);
  });

  it("refuses a number for a path or a URL; takes one for a platform id", async () => {
    for (const [field, value] of [["mainScript", 3], ["workDir", 5], ["scriptsArchive", 5], ["nats", 5], ["host", 8080]] as const) {
      const path = await config(`${field}.json`, JSON.stringify({ workDir: ".", [field]: value }));
      await expect(resolveRunOptions({ configPath: path, env: {} }), field).rejects.toThrow(`${path}: "${field}" must be a string (got ${value})`);
    }
    const ids = await config("ids.json", JSON.stringify({ workDir: ".", host: "http://127.0.0.1:1/", token: "t", project: 1, simulation: 2, job: 7, owner: "me" }));
    const { options } = await resolveRunOptions({ configPath: ids, env: {} });
    expect(options.platform).toMatchObject({ project: "1", simulation: "2", job: "7", owner: "me" });
    const bad = await config("bad-id.json", JSON.stringify({ workDir: ".", job: true }));
    await expect(resolveRunOptions({ configPath: bad, env: {} })).rejects.toThrow(`${bad}: "job" must be a string or a number (got true)`);
  });

  it("warns about a misspelled field and suggests the known one", async () => {
    const path = await config("config.json", JSON.stringify({ workDir: ".", mainScrpt: "x.py" }));
    const { warnings } = await resolveRunOptions({ configPath: path, env: {} });
    expect(warnings).toEqual([`${path}: unknown field "mainScrpt" is ignored; did you mean "mainScript"?`]);
  });

  it("suggests a URL for a host without a scheme and never quotes the token", async () => {
    const token = "s3cr3t-token-value";
    const path = await config(
      "config.json",
      JSON.stringify({ workDir: ".", host: "localhost:3000", token, project: "p", simulation: "s", job: "j", owner: "o" }),
    );
    const error = (await resolveRunOptions({ configPath: path, env: {} }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('did you mean "http://localhost:3000/"?');
    expect(error.message).not.toContain(token);
    const badToken = await config("bad.json", JSON.stringify({ workDir: ".", token: 12345678 }));
    const e2 = (await resolveRunOptions({ configPath: badToken, env: {} }).catch((e: unknown) => e)) as Error;
    expect(e2.message).toBe(`${badToken}: "token" must be a string (got a number)`);
  });

  it("takes host and token from the environment and the token file over the file", async () => {
    const path = await config(
      "config.json",
      JSON.stringify({ workDir: ".", host: "http://a/", token: "file-token", project: "p", simulation: "s", job: "j", owner: "o" }),
    );
    const tokenFile = await config("token", "from-token-file\n");
    const env = { PHYSICSWORKS_HOST: "http://127.0.0.1:9000", PHYSICSWORKS_TOKEN: "env-token" };
    const fromEnv = await resolveRunOptions({ configPath: path, env });
    expect(fromEnv.options.platform).toMatchObject({ host: "http://127.0.0.1:9000/", token: "env-token" });
    const fromFile = await resolveRunOptions({ configPath: path, env, tokenFile });
    expect(fromFile.options.platform?.token).toBe("from-token-file");
    // Every token in play is redacted: the file's and the environment's, which it overrides, too.
    expect(fromFile.options.secrets).toEqual(["from-token-file", "file-token", "env-token"]);
  });

  it("warns when a config file holding the token is readable by others, not when it is private", async () => {
    const fields = { workDir: ".", host: "http://a/", token: "secret-token-1", project: "p", simulation: "s", job: "j", owner: "o" };
    const path = await config("config.json", JSON.stringify(fields));
    await chmod(path, 0o644);
    const open = await resolveRunOptions({ configPath: path, env: {} });
    expect(open.warnings).toEqual([expect.stringMatching(/holds the platform token but is readable by others \(mode 644\); run: chmod 600 /)]);
    expect(open.warnings.join()).not.toContain("secret-token-1");
    await chmod(path, 0o600);
    expect((await resolveRunOptions({ configPath: path, env: {} })).warnings).toEqual([]);
  });

  it("refuses a host run without its platform fields", async () => {
    const path = await config("config.json", JSON.stringify({ workDir: ".", host: "http://a/", token: "t0ken", project: "p" }));
    await expect(resolveRunOptions({ configPath: path, env: {} })).rejects.toThrow(/"simulation", "job", "owner" missing/);
  });

  it("with the host from PHYSICSWORKS_HOST: a bad one is told first and by that name, and what is missing says where the host came from", async () => {
    const path = await config("config.json", JSON.stringify({ workDir: "." }));
    const bad = (await resolveRunOptions({ configPath: path, env: { PHYSICSWORKS_HOST: "not a url" } }).catch((e: unknown) => e)) as Error;
    expect(bad.message).toMatch(/^PHYSICSWORKS_HOST/);
    const noToken = (await resolveRunOptions({ configPath: path, env: { PHYSICSWORKS_HOST: "http://a/" } }).catch((e: unknown) => e)) as Error;
    expect(noToken.message).toBe(`${path}: "token" is missing but PHYSICSWORKS_HOST is set; set "token", PHYSICSWORKS_TOKEN or options.tokenFile (or run with options.offline and give it to sync)`);
  });

  it("refuses unknown stage names with the list of valid ones", async () => {
    const path = await config("config.json", JSON.stringify({ workDir: "." }));
    const error = await resolveRunOptions({ configPath: path, env: {}, skipStages: "download,uplod" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe('options.skipStages: unknown stage "uplod"; the stages are init, download, watch, execute, post-process');
    const flagError = await resolveRunOptions({ configPath: path, env: {}, skipStages: "download,uplod" }, "run", "flags").catch((e: unknown) => e);
    expect((flagError as Error).message).toBe('--skipStages: unknown stage "uplod"; the stages are init, download, watch, execute, post-process');
    const { options } = await resolveRunOptions({ configPath: path, env: {}, startingStage: "solver" });
    expect(options.startingStage).toBe("execute");
  });

  it("refuses stage flags that leave nothing to run", async () => {
    const path = await config("config.json", JSON.stringify({ workDir: "." }));
    await expect(resolveRunOptions({ configPath: path, env: {}, skipStages: "init,download,watch,execute,post-process" })).rejects.toThrow(
      'options.skipStages "init,download,watch,execute,post-process" leaves no stage to run (the stages are init, download, watch, execute, post-process)',
    );
    await expect(resolveRunOptions({ configPath: path, env: {}, skipStages: "init,download,execute,post-process" })).rejects.toThrow("leaves no stage to run");
    await expect(resolveRunOptions({ configPath: path, env: {}, startingStage: "post-process", skipStages: "postprocessing" }, "run", "flags")).rejects.toThrow(
      "--skipStages=post-process with --startingStage=post-process leaves no stage to run",
    );
    // One stage left is a run.
    const { options } = await resolveRunOptions({ configPath: path, env: {}, startingStage: "execute", skipStages: "post-process,watch" });
    expect(options.skipStages).toEqual(["post-process", "watch"]);
  });

  it("refuses a mainScript that leaves scripts/", async () => {
    const path = await config("config.json", JSON.stringify({ workDir: ".", mainScript: "../x.py" }));
    await expect(resolveRunOptions({ configPath: path, env: {} })).rejects.toThrow(/"mainScript" must be a path inside scripts/);
  });
});

describe("parseDuration", () => {
  it("reads units, combinations and plain seconds", () => {
    expect(parseDuration("500ms", "x")).toBe(500);
    expect(parseDuration("10s", "x")).toBe(10_000);
    expect(parseDuration("1h30m", "x")).toBe(5_400_000);
    expect(parseDuration("2.5", "x")).toBe(2500);
    expect(parseDuration(3, "x")).toBe(3000);
  });
  it("formats a duration, rounded before it is split (119.6 s is 2m00s)", () => {
    expect([250, 1000, 59_940, 59_960, 119_600, 3_599_600, 5_430_000].map(formatDuration)).toEqual(["250ms", "1.0s", "59.9s", "1m00s", "2m00s", "1h00m", "1h31m"]);
  });

  it("refuses nonsense, naming where", () => {
    expect(() => parseDuration("ten", "--timeout")).toThrow(/--timeout must be a duration/);
    expect(() => parseDuration("10x", "--grace")).toThrow(ConfigError);
    expect(() => parseDuration(-1, "--grace")).toThrow(ConfigError);
  });
});
