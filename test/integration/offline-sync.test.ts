import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runSolver, syncRun } from "../../src/index.js";
import type { RunResult } from "../../src/run-result.js";
import { platformFields, readJson, sha256, writeConfig } from "../helpers/platform-run.js";
import { runCli } from "../helpers/run-cli.js";
import { callServer, seedRunData, startTestServer, type TestServer, plainRunData } from "../helpers/server.js";
import { REPO_ROOT, useTempWorks } from "../helpers/work-dir.js";

const { tempDir } = useTempWorks();
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.cleanup()));
});

const RUN_DATA = plainRunData();

/** A heat1d work directory with its scripts on disk and a config naming the server. */
async function heat1dWork(url: string, token: string) {
  const dir = await tempDir("pw-offline-");
  await mkdir(join(dir, "work"));
  await cp(join(REPO_ROOT, "examples/heat1d/scripts"), join(dir, "work/scripts"), { recursive: true });
  const configPath = join(dir, "config.json");
  await writeConfig(configPath, platformFields({ url, token }, { workDir: "work", env: { PHYSICSWORKS_PARAMS: JSON.stringify({ slow: 0 }) } }));
  return { dir, workDir: join(dir, "work"), configPath };
}

interface RunAnswer {
  node: { status: string; progress: number };
  results: unknown[];
  files: { path?: string; sha256: string }[];
}

async function record(s: TestServer, runId: string): Promise<RunAnswer> {
  return (await (await callServer(s, "GET", `runs/${runId}`)).json()) as RunAnswer;
}

async function runCount(s: TestServer): Promise<number> {
  return ((await (await callServer(s, "GET", "runs")).json()) as unknown[]).length;
}

describe("offline runs and sync", () => {
  it("an offline run followed by sync leaves the server as an online run does; a second sync sends nothing", async () => {
    const s = await startTestServer();
    servers.push(s);
    await seedRunData(s.dataDir, "p1", "sim1", RUN_DATA);

    const online = await heat1dWork(s.url, s.token);
    const onlineRun = JSON.parse((await runCli([`--configPath=${online.configPath}`, "--json"])).stdout) as RunResult;
    expect(onlineRun.status).toBe("finished");

    const offline = await heat1dWork(s.url, s.token);
    const offlineRun = await runCli([`--configPath=${offline.configPath}`, "--offline", "--json"]);
    expect(offlineRun.code, offlineRun.stderr).toBe(0);
    expect(await runCount(s)).toBe(1);

    const sync = await runCli(["sync", `--configPath=${offline.configPath}`, "--json"]);
    expect(sync.code, sync.stderr).toBe(0);
    const synced = JSON.parse(sync.stdout) as { outcome: string; runId: string };
    // Progress on stderr while it sends (stdout holds only the JSON).
    expect(sync.stderr).toMatch(/uploading results \d+\.\d(?:B|KB|MB|GB|TB)\/\d+\.\d(?:B|KB|MB|GB|TB)/);
    expect(synced.outcome).toBe("sent");
    expect(await runCount(s)).toBe(2);

    const a = await record(s, onlineRun.runId);
    const b = await record(s, synced.runId);
    expect(b.node).toMatchObject({ status: "finished", progress: 100 });
    expect(b.results).toEqual(a.results);
    const paths = (r: RunAnswer) => r.files.map((f) => f.path).sort();
    expect(paths(b)).toEqual(paths(a));
    for (const f of b.files) {
      expect(f.sha256, f.path).toBe(sha256(await readFile(join(offline.workDir, "outputs", f.path as string))));
    }

    const again = await runCli(["sync", `--configPath=${offline.configPath}`, "--json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: "already", runId: synced.runId });
    expect(await runCount(s)).toBe(2);
  });

  it("sync sends no result.zip an earlier run left: only one the run made (run.json's resultZip)", async () => {
    const s = await startTestServer();
    servers.push(s);
    await seedRunData(s.dataDir, "p1", "sim1", RUN_DATA);
    const offline = await heat1dWork(s.url, s.token);
    // An earlier run's, untouched by this one: no downloadable spec, and heat1d writes none.
    await mkdir(join(offline.workDir, "outputs"), { recursive: true });
    await writeFile(join(offline.workDir, "outputs/result.zip"), "an earlier run's result.zip");
    const run = await runCli([`--configPath=${offline.configPath}`, "--offline", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as RunResult).resultZip).toBe(false);

    const sync = await runCli(["sync", `--configPath=${offline.configPath}`, "--json"]);
    expect(sync.code, sync.stderr).toBe(0);
    const synced = JSON.parse(sync.stdout) as { outcome: string; runId: string };
    const sent = await record(s, synced.runId);
    expect(sent.node).toMatchObject({ status: "finished" });
    expect(sent.files.map((f) => f.path)).not.toContain("result.zip");
    expect(sent.files.length).toBeGreaterThan(0);
  });

  it("a result whose value is the token reaches the platform as *** online and through sync alike", async () => {
    const s = await startTestServer();
    servers.push(s);
    await seedRunData(s.dataDir, "p1", "sim1", RUN_DATA);
    const solver = [
      "import os, sys",
      'out = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--outputsPath=")][0]',
      'open(os.path.join(out, "results.csv"), "w").write("leak,n\\n" + os.environ["PHYSICSWORKS_TOKEN"] + ",3\\n")',
    ].join("\n");
    const results: unknown[] = [];
    for (const offline of [false, true]) {
      const dir = await tempDir("pw-result-secret-");
      await mkdir(join(dir, "scripts"));
      await writeFile(join(dir, "scripts", "main.py"), solver);
      const configPath = join(dir, "config.json");
      await writeConfig(configPath, platformFields(s, { workDir: ".", passToken: true }));
      const run = await runSolver({ configPath, offline, skipStages: "download" });
      expect(run.status, run.error?.message).toBe("finished");
      const runId = offline ? (await syncRun({ configPath })).runId : run.runId;
      results.push((await record(s, runId)).results);
    }
    expect(results[0]).toEqual([{ name: "leak", type: "ascii", value: "***" }, { name: "n", type: "scalar", value: 3 }]);
    expect(results[1]).toEqual(results[0]);
  });

  it("an offline run needs no token: the config without one runs, and sync sends it with PHYSICSWORKS_TOKEN", async () => {
    const s = await startTestServer();
    servers.push(s);
    await seedRunData(s.dataDir, "p1", "sim1", RUN_DATA);
    const w = await heat1dWork(s.url, "");
    const run = await runCli([`--configPath=${w.configPath}`, "--offline", "--json"], { env: { PHYSICSWORKS_TOKEN: "" } });
    expect(run.code, run.stderr).toBe(0);
    const without = await runCli(["sync", `--configPath=${w.configPath}`], { env: { PHYSICSWORKS_TOKEN: "" } });
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('"token" is missing');
    // sync is what sends an offline run: it does not point to --offline.
    expect(without.stderr).not.toContain("--offline");
    const noConfig = await runCli(["sync", `--workDir=${w.workDir}`]);
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toContain("sync needs the run's platform: pass --configPath with the run's config.json");
    const sync = await runCli(["sync", `--configPath=${w.configPath}`, "--json"], { env: { PHYSICSWORKS_TOKEN: s.token } });
    expect(sync.code, sync.stderr).toBe(0);
    expect((await record(s, (JSON.parse(sync.stdout) as { runId: string }).runId)).node.status).toBe("finished");
  });

  it("with --offlineFallback an unreachable platform does not fail the run, and sync sends it once it is back", async () => {
    const first = await startTestServer();
    const { port } = first.server;
    const dataDir = first.dataDir;
    const token = first.token;
    await seedRunData(dataDir, "p1", "sim1", RUN_DATA);
    await first.server.close(); // the platform goes away; its data stays

    const w = await heat1dWork(first.url, token);
    const result = await runSolver({ configPath: w.configPath, offlineFallback: true, tuning: { retry: { tries: 2, baseDelayMs: 10 } } });
    expect(result.status).toBe("finished");
    expect(result.warnings.join("\n")).toMatch(/cannot be reached.*running offline/s);
    expect(result.warnings.join("\n")).toContain(`send this run later with \`physicsworks-solve sync --configPath=${w.configPath}\``);

    const back = await startTestServer({ port, dataDir, token });
    servers.push(back);
    const synced = await syncRun({ configPath: w.configPath });
    expect(synced.outcome).toBe("sent");
    const r = await record(back, synced.runId);
    expect(r.node.status).toBe("finished");
    expect(r.files.map((f) => f.path)).toContain("plots/temperature.csv");
    expect((await readJson<{ resource: { id: string } }>(w.configPath)).resource.id).toBe(synced.runId);
  });

  it("tells of each try again in runner.log", async () => {
    const gone = await startTestServer();
    const url = gone.url;
    await gone.server.close();
    const w = await heat1dWork(url, gone.token);
    const result = await runSolver({ configPath: w.configPath, tuning: { retry: { tries: 4, baseDelayMs: 10 } } });
    expect(result.exitCode).toBe(3);
    expect(result.error?.message).toContain("(gave up after 4 tries)");
    const log = await readFile(join(w.workDir, "debug/runner.log"), "utf8");
    const tries = log.split("\n").filter((l) => /read capabilities \(GET runner\/capabilities\): .*connection refused.*; trying again in [\d.]+ s \(try \d of 4\)$/.test(l));
    expect(tries.map((l) => /try (\d) of 4/.exec(l)?.[1])).toEqual(["2", "3", "4"]);
    // Short waits: no warning (a platform that fails the odd call is not down).
    expect(result.warnings.join("\n")).not.toContain("keeps failing");
  });
});
