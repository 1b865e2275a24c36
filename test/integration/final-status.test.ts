/**
 * The run's last words to the platform (protocol.md: "after an abort, a signal or a solver failure,
 * what is pending is still sent, within a flush time"): the final status keeps to the flush time
 * too, and debug/run.json is on disk before it goes, so a runner killed while it is sent leaves a
 * run `sync` can finish.
 *
 * A real reference server behind a real node:http front that passes every request on, except the
 * final status update (the run node with status error or finished), which it holds unanswered
 * while told to.
 */
import type { ServerResponse } from "node:http";
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runSolver, syncRun } from "../../src/index.js";
import { startStub } from "../helpers/http-stub.js";
import { passOn } from "../helpers/pass-on.js";
import { readJson, writePlatformRun } from "../helpers/platform-run.js";
import { runCli } from "../helpers/run-cli.js";
import { callServer, plainRunData, seedRunData, startTestServer, type TestServer } from "../helpers/server.js";
import { useTempWorks } from "../helpers/work-dir.js";
import { waitFor } from "../helpers/pids.js";

const { tempDir } = useTempWorks();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** Writes an output, then fails: the sends after it are bounded by the flush time. */
const SOLVER = `import os
out = os.environ["PHYSICSWORKS_OUTPUTS_DIR"]
os.makedirs(os.path.join(out, "files"), exist_ok=True)
with open(os.path.join(out, "files", "a.txt"), "w") as f:
    f.write("a result\\n")
raise SystemExit(1)
`;

async function prepare(solver = SOLVER) {
  const s = await startTestServer({ socketIo: false });
  cleanups.push(() => s.cleanup());
  await seedRunData(s.dataDir, "p1", "sim1", plainRunData());
  const front = { hold: true, holdReport: false, held: [] as ServerResponse[] };
  const stub = await startStub(async (req, res) => {
    const body = req.body.toString("utf8");
    const opensReport = req.method === "POST" && req.url === "/storage/uploads" && /"path":"report\.html"/.test(body);
    if ((front.hold && req.method === "PUT" && req.url.startsWith("/simulation/run/update/") && /"status":"(error|finished)"/.test(body)) || (front.holdReport && opensReport)) {
      front.held.push(res); // never answered while held
      return;
    }
    await passOn(s.url, req, res);
  });
  cleanups.push(async () => {
    front.held.forEach((res) => res.destroy());
    await stub.close();
  });
  const dir = await tempDir("pw-final-status-");
  const configPath = await writePlatformRun(dir, { url: stub.url, token: s.token }, solver);
  return { s, dir, configPath, front };
}

async function nodeStatus(s: TestServer, runId: string): Promise<string | undefined> {
  return ((await (await callServer(s, "GET", `runs/${runId}`)).json()) as { node: { status?: string } }).node.status;
}

describe("the final status", () => {
  it("after a solver failure keeps to the flush time: an unanswered update does not hold the run for the client's minute", async () => {
    const { configPath, front } = await prepare();
    const started = performance.now();
    const result = await runSolver({ configPath, flushTime: 1 });
    // The flush time (1 s) has passed by then: the update gets its least, 5 s, not the 60 s response timeout and its retries.
    expect(performance.now() - started).toBeLessThan(25_000);
    expect(front.held.length).toBeGreaterThan(0);
    expect(result.exitCode).toBe(1);
    expect(result.warnings.join("\n")).toMatch(/the final status could not be sent to the platform: not sent within the flush time \(given 5s\); `physicsworks-solve sync` sends it later/);
  }, 90_000);

  it("a run that went normally, signalled while its final status hangs: bounded from the signal on, it exits with the signal's code", async () => {
    const { s, dir, configPath, front } = await prepare('print("fine")\n');
    let pid = 0;
    const running = runCli([`--configPath=${configPath}`, "--flushTime=1s"], { onStart: (p) => (pid = p), timeoutMs: 60_000 });
    await waitFor(() => (front.held.length > 0 ? true : undefined), 30_000, "the final status update");
    const signalled = performance.now();
    process.kill(pid, "SIGTERM");
    const run = await running;
    // The flush time (1 s) from the signal, the final status's least (5 s), the exit: not the client's minute and its retries.
    expect(performance.now() - signalled).toBeLessThan(12_000);
    expect(run.code, run.stderr).toBe(143);
    const printed = run.stdout + run.stderr;
    expect(printed).toMatch(/the final status could not be sent to the platform: not sent within the flush time \(given 5s\)/);
    expect(await readFile(join(dir, "debug", "runner.log"), "utf8")).toContain("after SIGTERM: what is pending goes to the platform within the flush time of 1s");
    // The run's work was done: only its final status is missing, which sync sends as finished.
    expect(await readJson(join(dir, "debug", "run.json"))).toMatchObject({ status: "error", exitCode: 143, sendsFailedOnly: true });
    front.hold = false;
    const synced = await syncRun({ configPath });
    expect(synced.outcome).toBe("sent");
    expect(await nodeStatus(s, synced.runId)).toBe("finished");
  }, 60_000);

  it("a runner killed while it sends the run report leaves it named in debug/run.json, and sync sends it", async () => {
    const { s, dir, configPath, front } = await prepare();
    front.holdReport = true;
    let pid = 0;
    const running = runCli([`--configPath=${configPath}`], { onStart: (p) => (pid = p), timeoutMs: 60_000 });
    await waitFor(() => (front.held.length > 0 ? true : undefined), 30_000, "the report's upload");
    process.kill(pid, "SIGKILL");
    await running;
    expect(await readJson<{ report?: string }>(join(dir, "debug", "run.json"))).toMatchObject({ report: join(dir, "outputs", "report.html") });

    front.hold = false;
    front.holdReport = false;
    const synced = await syncRun({ configPath });
    expect(synced.outcome).toBe("sent");
    const node = ((await (await callServer(s, "GET", `runs/${synced.runId}`)).json()) as { node: { children: { slug?: string; children?: { name?: string }[] }[] } }).node;
    expect(node.children.find((c) => c.slug === "media")?.children?.map((c) => c.name)).toEqual(["report.html"]);
  }, 90_000);

  it("a runner killed while it sends the final status leaves debug/run.json, and sync finishes the run", async () => {
    const { s, dir, configPath, front } = await prepare();
    let pid = 0;
    const running = runCli([`--configPath=${configPath}`], { onStart: (p) => (pid = p), timeoutMs: 60_000 });
    await waitFor(() => (front.held.length > 0 ? true : undefined), 30_000, "the final status update");
    process.kill(pid, "SIGKILL");
    await running;
    await access(join(dir, "debug", "run.json"));
    expect(await readJson<{ status: string; exitCode: number }>(join(dir, "debug", "run.json"))).toMatchObject({ status: "error", exitCode: 1 });

    front.hold = false;
    const synced = await syncRun({ configPath });
    expect(synced.outcome).toBe("sent");
    expect(await nodeStatus(s, synced.runId)).toBe("error");
  }, 90_000);
});
