/**
 * `sync` after a run whose flush time ran out (debug/left-unsent.json): it sends only what was
 * left, to the run's own node, whether or not the run's final status went through; it does not
 * set a finished run `running` again; each archive and result.zip is listed once; a second sync
 * answers "already". And an output whose bytes arrived but whose entry was refused with the run's
 * updates is listed by sync, its bytes not sent again.
 *
 * A real runner and the real CLI against a real reference server on 127.0.0.1, behind a real
 * node:http front that plays the platform's trouble: it holds uploads (a platform too slow for the
 * flush time) and refuses run updates (a platform that fails at the end), as each test tells it.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runSolver } from "../../src/index.js";
import type { RunNode, TreeNode } from "../../src/platform/types.js";
import { passOn } from "../helpers/pass-on.js";
import { requestCount, runRecord as fetchRunRecord } from "../helpers/server-records.js";
import { startStub, type StubRequest } from "../helpers/http-stub.js";
import { readJson, sha256, writePlatformRun } from "../helpers/platform-run.js";
import { runCli } from "../helpers/run-cli.js";
import { callServer, plainRunData, seedRunData, startTestServer, type TestServer } from "../helpers/server.js";
import { useTempWorks } from "../helpers/work-dir.js";
import { DOWN_AFTER_FAILURES } from "../../src/upload/uploader.js";

const { tempDir } = useTempWorks();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** Generous: the sends before the held ones are a few local requests. */
const FLUSH_MS = 3000;
const RETRY = { tries: 2, baseDelayMs: 10, maxDelayMs: 20 };

/** Two outputs under files/, a .vtp for the vtp archive, results.csv (into result.zip); then exits 1. */
const SOLVER = `import os, sys
out = os.environ["PHYSICSWORKS_OUTPUTS_DIR"]
os.makedirs(os.path.join(out, "files"), exist_ok=True)
for i in range(2):
    with open(os.path.join(out, "files", "f%d.dat" % i), "wb") as f:
        f.write(os.urandom(8 * 1024))
with open(os.path.join(out, "field.vtp"), "wb") as f:
    f.write(os.urandom(4 * 1024))
with open(os.path.join(out, "results.csv"), "w") as f:
    f.write("name,type,value\\nT,scalar,1.5\\n")
sys.exit(1)
`;

/** What the front does with a request: passes it on, holds it until the runner gives up, or answers this status itself. */
type Verdict = "pass" | "hold" | number;

interface Front {
  url: string;
  rule: (req: StubRequest) => Verdict;
}


async function startFront(s: TestServer): Promise<Front> {
  const front: Front = { url: "", rule: () => "pass" };
  const stub = await startStub(async (req, res) => {
    const verdict = front.rule(req);
    if (verdict === "hold") {
      await new Promise((resolve) => res.once("close", resolve));
      return;
    }
    if (typeof verdict === "number") {
      res.writeHead(verdict, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `the front answers ${verdict}` }));
      return;
    }
    await passOn(s.url, req, res);
  });
  cleanups.push(() => stub.close());
  front.url = stub.url;
  return front;
}


/** The output path of an upload being opened (v2 `POST storage/uploads`), or undefined. */
function uploadPath(req: StubRequest): string | undefined {
  if (req.method !== "POST" || req.url !== "/storage/uploads") return undefined;
  const path = (JSON.parse(req.body.toString("utf8")) as { metadata?: { path?: unknown } }).metadata?.path;
  return typeof path === "string" ? path : undefined;
}

/** The run node an update of a run node carries (`PUT simulation/run/update/sim1/{runId}`), or undefined. */
function updatedNode(req: StubRequest): RunNode | undefined {
  if (req.method !== "PUT" || !/^\/simulation\/run\/update\/sim1\/[^/]+$/.test(req.url)) return undefined;
  return (JSON.parse(req.body.toString("utf8")) as { node: RunNode }).node;
}

/** The run's final update: the one that carries `error` or `finished`. */
function isFinalUpdate(req: StubRequest): boolean {
  const status = updatedNode(req)?.status;
  return status === "error" || status === "finished";
}

const childrenOf = (node: RunNode, slug: string) => (node.children.find((c) => c.slug === slug)?.children ?? []) as TreeNode[];
const resultZips = (node: RunNode) => childrenOf(node, "downloadables").filter((c) => c.slug === "result.zip");
const reports = (node: RunNode) => childrenOf(node, "media").filter((c) => c.name === "report.html");

async function prepare(solver = SOLVER) {
  // No socket.io: the front passes plain requests on, not a websocket. v2 uploads, so that an
  // upload is opened with its output's path.
  const s = await startTestServer({ socketIo: false });
  cleanups.push(() => s.cleanup());
  await seedRunData(s.dataDir, "p1", "sim1", plainRunData({ downloadable: { basic: { outputs: { "results.csv": true } } } }));
  const front = await startFront(s);
  const dir = await tempDir("pw-sync-left-");
  const configPath = await writePlatformRun(dir, { url: front.url, token: s.token }, solver);
  return { s, front, dir, configPath };
}

interface RunRecord {
  node: RunNode;
  updates: { status: unknown; statusLabel: unknown }[];
  files: { filename: string; path?: string | null; sha256: string }[];
}

const runRecord = (s: TestServer, runId: string) => fetchRunRecord<RunRecord>(s, runId);


const exists = (path: string) => readFile(path).then(() => true, () => false);

async function sync(configPath: string) {
  const run = await runCli(["sync", `--configPath=${configPath}`, "--json"], { timeoutMs: 60_000 });
  return { ...run, answer: run.code === 0 ? (JSON.parse(run.stdout) as { outcome: string; runId: string }) : undefined };
}

async function expectOutputsOnServer(s: TestServer, runId: string, dir: string): Promise<void> {
  const { files } = await runRecord(s, runId);
  for (const path of ["files/f0.dat", "files/f1.dat"]) {
    const stored = files.filter((f) => f.path === path);
    expect(stored, `outputs/${path} on the server, once`).toHaveLength(1);
    expect(stored[0]?.sha256).toBe(sha256(await readFile(join(dir, "outputs", path))));
  }
}

describe("sync after a run whose flush time ran out", () => {
  it("the final status refused too: sync sends only what was left, to the same run node, and a second sync answers already", async () => {
    const { s, front, dir, configPath } = await prepare();
    // The outputs' uploads never answer, so the flush time runs out in the final pass; then the final status is refused.
    front.rule = (req) => (uploadPath(req)?.startsWith("files/") ? "hold" : isFinalUpdate(req) ? 503 : "pass");
    const result = await runSolver({ configPath, tuning: { flushMs: FLUSH_MS, retry: RETRY } });
    expect(result.status).toBe("error");
    expect(result.error?.message).toContain("ran out before everything reached the platform");

    // As the run left it: results, the archive and result.zip sent, the outputs not, the final status not.
    const leftPath = join(dir, "debug", "left-unsent.json");
    expect(await readJson(leftPath)).toEqual({ runId: result.runId, results: false, archives: [], resultZip: false });
    expect((await readJson<{ finalSent: boolean }>(join(dir, "debug", "platform-run.json"))).finalSent).toBe(false);
    expect((await runRecord(s, result.runId)).node.status).toBe("running");
    expect(await requestCount(s, "PUT", "simulation/run/patch/")).toBe(1);

    front.rule = () => "pass";
    const first = await sync(configPath);
    expect(first.code, first.stderr).toBe(0);
    expect(first.answer).toMatchObject({ outcome: "sent", runId: result.runId });
    const after = await runRecord(s, result.runId);
    // Only what was left: no second results patch, no second archive or result.zip.
    expect(await requestCount(s, "PUT", "simulation/run/patch/")).toBe(1);
    expect(childrenOf(after.node, "graphics").map((c) => c.slug)).toEqual(["vtp"]);
    expect(resultZips(after.node)).toHaveLength(1);
    expect(after.files.filter((f) => f.path === "result.zip")).toHaveLength(1);
    await expectOutputsOnServer(s, result.runId, dir);
    expect(after.node.status).toBe("error");
    expect(after.node.statusLabel).toBe(result.error?.message.split("\n")[0]);
    expect(await exists(leftPath), "debug/left-unsent.json removed").toBe(false);

    const second = await sync(configPath);
    expect(second.code, second.stderr).toBe(0);
    expect(second.answer).toMatchObject({ outcome: "already", runId: result.runId });
    const last = await runRecord(s, result.runId);
    expect(childrenOf(last.node, "graphics")).toHaveLength(1);
    expect(resultZips(last.node)).toHaveLength(1);
    expect(last.files.filter((f) => f.path === "result.zip")).toHaveLength(1);
    expect(reports(last.node), "the run report listed once").toHaveLength(1);
  }, 120_000);

  it("a leftover sync that fails leaves the run node's final status; the next sends the rest, result.zip once", async () => {
    const { s, front, dir, configPath } = await prepare();
    // result.zip and the outputs never get through; the final status does.
    front.rule = (req) => {
      const path = uploadPath(req);
      return path === "result.zip" || path?.startsWith("files/") ? "hold" : "pass";
    };
    const result = await runSolver({ configPath, tuning: { flushMs: FLUSH_MS, retry: RETRY } });
    expect(result.status).toBe("error");
    const label = result.error?.message.split("\n")[0];
    const leftPath = join(dir, "debug", "left-unsent.json");
    expect(await readJson(leftPath)).toEqual({ runId: result.runId, results: false, archives: [], resultZip: true });
    expect((await readJson<{ finalSent: boolean }>(join(dir, "debug", "platform-run.json"))).finalSent).toBe(true);
    const ended = await runRecord(s, result.runId);
    expect(ended.node.status).toBe("error");
    expect(ended.node.statusLabel).toBe(label);

    // The outputs are refused (a 4xx fails at once): this sync fails, after result.zip went through.
    front.rule = (req) => (uploadPath(req)?.startsWith("files/") ? 403 : "pass");
    const failing = await sync(configPath);
    expect(failing.code, failing.stdout).toBe(3);
    expect(failing.stderr).toContain("outputs/files/f0.dat");
    const afterFailure = await runRecord(s, result.runId);
    expect(afterFailure.node.status).toBe("error");
    expect(afterFailure.node.statusLabel).toBe(label);
    // The sync did update the node (Result.zip's entry), never with another status.
    const syncUpdates = afterFailure.updates.slice(ended.updates.length);
    expect(syncUpdates.length).toBeGreaterThan(0);
    expect(syncUpdates.map((u) => u.status)).toEqual(syncUpdates.map(() => "error"));
    expect(resultZips(afterFailure.node)).toHaveLength(1);
    expect(await exists(leftPath), "debug/left-unsent.json kept for the next sync").toBe(true);

    front.rule = () => "pass";
    const next = await sync(configPath);
    expect(next.code, next.stderr).toBe(0);
    expect(next.answer).toMatchObject({ outcome: "sent", runId: result.runId });
    const after = await runRecord(s, result.runId);
    // The failed sync's result.zip is listed: it is not sent again.
    expect(resultZips(after.node)).toHaveLength(1);
    expect(after.files.filter((f) => f.path === "result.zip")).toHaveLength(1);
    expect(childrenOf(after.node, "graphics").map((c) => c.slug)).toEqual(["vtp"]);
    await expectOutputsOnServer(s, result.runId, dir);
    expect(after.node.status).toBe("error");
    expect(after.node.statusLabel).toBe(label);
    expect(await exists(leftPath)).toBe(false);
    expect(reports(after.node), "the run report listed once, after two syncs").toHaveLength(1);

    const again = await sync(configPath);
    expect(again.code, again.stderr).toBe(0);
    expect(again.answer).toMatchObject({ outcome: "already", runId: result.runId });
  }, 120_000);

  it("result.zip sent but its entry refused with the run's updates: sync sends it again, listed once", async () => {
    const { s, front, dir, configPath } = await prepare();
    // Every run update that lists Result.zip is refused, the final one among them.
    front.rule = (req) => {
      if (uploadPath(req)?.startsWith("files/")) return "hold";
      const node = updatedNode(req);
      return node && resultZips(node).length > 0 ? 503 : "pass";
    };
    const result = await runSolver({ configPath, tuning: { flushMs: FLUSH_MS, retry: RETRY } });
    expect(result.status).toBe("error");
    // The run counts result.zip as sent, and the platform has the file, but the run node does not list it.
    expect(await readJson(join(dir, "debug", "left-unsent.json"))).toMatchObject({ runId: result.runId, resultZip: false });
    const ended = await runRecord(s, result.runId);
    expect(ended.files.filter((f) => f.path === "result.zip")).toHaveLength(1);
    expect(resultZips(ended.node)).toHaveLength(0);

    front.rule = () => "pass";
    const first = await sync(configPath);
    expect(first.code, first.stderr).toBe(0);
    const after = await runRecord(s, result.runId);
    const [entry, ...more] = resultZips(after.node);
    expect(more).toHaveLength(0);
    // The entry names a result.zip the platform holds.
    expect(after.files.find((f) => f.filename === entry?.filename)?.path).toBe("result.zip");
    expect(childrenOf(after.node, "graphics").map((c) => c.slug)).toEqual(["vtp"]);
    await expectOutputsOnServer(s, result.runId, dir);
    expect(after.node.status).toBe("error");
    expect(reports(after.node), "the run report listed once").toHaveLength(1);
  }, 120_000);

  it("outputs sent but their entries refused with the run's updates: sync lists them, without sending their bytes again", async () => {
    const { s, front, dir, configPath } = await prepare();
    const listsOutputs = (node: RunNode) => childrenOf(node, "downloadables").some((c) => c.name === "f0.dat" || c.name === "f1.dat");
    // Every run update that lists an output of files/ is refused, the final one among them.
    front.rule = (req) => {
      const node = updatedNode(req);
      return node && listsOutputs(node) ? 503 : "pass";
    };
    const result = await runSolver({ configPath, tuning: { retry: RETRY } });
    expect(result.status).toBe("error");
    // The platform has the outputs' bytes; the run node, as the platform holds it, does not list them.
    await expectOutputsOnServer(s, result.runId, dir);
    expect(listsOutputs((await runRecord(s, result.runId)).node)).toBe(false);
    const opened: string[] = [];
    front.rule = (req) => {
      const path = uploadPath(req);
      if (path) opened.push(path);
      return "pass";
    };
    const first = await sync(configPath);
    expect(first.code, first.stderr).toBe(0);
    // The outputs' bytes are not sent again: sync opens uploads of the runner's own artifacts only.
    expect(opened.filter((p) => p.startsWith("files/"))).toEqual([]);
    const after = await runRecord(s, result.runId);
    for (const name of ["f0.dat", "f1.dat"]) {
      const entries = childrenOf(after.node, "downloadables").filter((c) => c.name === name);
      expect(entries, `${name} listed once`).toHaveLength(1);
      // The entry names the stored file the run sent.
      expect(after.files.find((f) => f.filename === entries[0]?.filename)?.path).toBe(`files/${name}`);
    }
    await expectOutputsOnServer(s, result.runId, dir);
    expect(after.node.status).toBe("error");
    expect(reports(after.node), "the run report listed once").toHaveLength(1);
  }, 120_000);

  it("a restarted runner that resumes the run node and sends everything removes the record its first start left; sync then answers already", async () => {
    const { s, front, dir, configPath } = await prepare();
    // The outputs never get through, and the final status is refused: the node stays open to a restart.
    // The vtp archive and result.zip went: the restart sends them again, as the same entries.
    front.rule = (req) => (uploadPath(req)?.startsWith("files/") ? "hold" : isFinalUpdate(req) ? 503 : "pass");
    const result = await runSolver({ configPath, tuning: { flushMs: FLUSH_MS, retry: RETRY } });
    expect(result.status).toBe("error");
    const leftPath = join(dir, "debug", "left-unsent.json");
    expect(await readJson(leftPath)).toEqual({ runId: result.runId, results: false, archives: [], resultZip: false });
    expect((await readJson<{ finalSent: boolean }>(join(dir, "debug", "platform-run.json"))).finalSent).toBe(false);

    front.rule = () => "pass";
    const restart = await runCli([`--configPath=${configPath}`, "--startingStage=post-process", "--json"], { timeoutMs: 60_000 });
    // The solver's failure is the first start's; this start only post-processes, and sends everything.
    expect(restart.code, restart.stderr).toBe(0);
    expect((JSON.parse(restart.stdout) as { runId: string }).runId).toBe(result.runId);
    expect(await exists(leftPath), "the first start's record, stale once everything went, is removed").toBe(false);
    const after = await runRecord(s, result.runId);
    expect(resultZips(after.node)).toHaveLength(1);
    await expectOutputsOnServer(s, result.runId, dir);

    const synced = await sync(configPath);
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.answer).toMatchObject({ outcome: "already", runId: result.runId });
    const last = await runRecord(s, result.runId);
    expect(resultZips(last.node), "result.zip listed once").toHaveLength(1);
    expect(childrenOf(last.node, "graphics").map((c) => c.slug), "the vtp archive listed once").toEqual(["vtp"]);
    expect(reports(last.node), "the run report listed once").toHaveLength(1);
  }, 120_000);
});

/** `count` outputs under files/ (f00.dat, f01.dat, …), results.csv with `withResults`; exits 0. */
function filesSolver(count: number, withResults = false): string {
  const results = `with open(os.path.join(out, "results.csv"), "w") as f:
    f.write("name,type,value\\nT,scalar,1.5\\n")
`;
  return `import os
out = os.environ["PHYSICSWORKS_OUTPUTS_DIR"]
os.makedirs(os.path.join(out, "files"), exist_ok=True)
for i in range(${count}):
    with open(os.path.join(out, "files", "f%02d.dat" % i), "wb") as f:
        f.write(os.urandom(1024))
${withResults ? results : ""}`;
}

describe("sync after a run whose platform went down in its final pass", () => {
  it("the final pass stops trying after sends fail in a row; the run says what is left and sync sends it, once", async () => {
    const { s, front, dir, configPath } = await prepare(filesSolver(40));
    let opened = 0;
    // Storage is down: every upload of an output fails with a 503; the run node's updates go through.
    front.rule = (req) => {
      if (!uploadPath(req)?.startsWith("files/")) return "pass";
      opened++;
      return 503;
    };
    const result = await runSolver({ configPath, tuning: { retry: RETRY } });
    expect(result.status).toBe("error");
    const message = result.error?.message ?? "";
    expect(message).toMatch(/^40 output file\(s\) could not be sent to the platform:/);
    // Twenty named, the rest counted, and the command that sends them later.
    expect(message.match(/^ {2}outputs\/files\//gm)).toHaveLength(20);
    expect(message).toContain("… and 20 more output file(s)");
    expect(message).toContain("not tried: the platform failed the");
    expect(message).toContain(`physicsworks-solve sync --configPath=${configPath}`);
    // Not forty files' worth of tries (2 each): the sends stopped after DOWN_AFTER_FAILURES in a row,
    // give or take the sends under way then (4 at once). The platform taking another call meanwhile
    // starts the count again: here the empty logs/main.log's one append, which the front lets
    // through, when the final pass is what creates it (its place among the failures varies: 26–32
    // opens, 1 run in 3 on a loaded machine). Once at most: nothing else goes through.
    expect(opened).toBeLessThanOrEqual((2 * DOWN_AFTER_FAILURES + 4) * RETRY.tries);
    expect(opened).toBeLessThan(40 * RETRY.tries);
    // The final status went through; what is left is recorded for sync.
    expect((await readJson<{ finalSent: boolean }>(join(dir, "debug", "platform-run.json"))).finalSent).toBe(true);
    expect(await readJson(join(dir, "debug", "left-unsent.json"))).toEqual({ runId: result.runId, results: false, archives: [], resultZip: false });

    front.rule = () => "pass";
    const first = await sync(configPath);
    expect(first.code, first.stderr).toBe(0);
    expect(first.answer).toMatchObject({ outcome: "sent", runId: result.runId });
    const after = await runRecord(s, result.runId);
    for (let i = 0; i < 40; i++) {
      const path = `files/f${String(i).padStart(2, "0")}.dat`;
      const stored = after.files.filter((f) => f.path === path);
      expect(stored, `outputs/${path} on the server, once`).toHaveLength(1);
      expect(stored[0]?.sha256).toBe(sha256(await readFile(join(dir, "outputs", path))));
    }
    expect(childrenOf(after.node, "downloadables").filter((c) => /^f\d\d\.dat$/.test(String(c.name)))).toHaveLength(40);
    // Sending was all that failed (the solver exited 0): with everything sent, the run is finished, on the platform and in run.json.
    expect(after.node).toMatchObject({ status: "finished", progress: 100 });
    const repaired = await readJson<{ status: string; exitCode: number; error?: unknown; warnings: string[]; stages: { name: string; status: string }[] }>(
      join(dir, "debug", "run.json"),
    );
    expect(repaired).toMatchObject({ status: "finished", exitCode: 0 });
    expect(repaired.error).toBeUndefined();
    expect(repaired.stages.find((stage) => stage.name === "post-process")?.status).toBe("finished");
    expect(repaired.warnings.at(-1)).toMatch(/: what the run could not send, sync sent \(/);
    // Its report, written again as finished, replaced the one the run sent: listed once, with the new content.
    const report = await readFile(join(dir, "outputs", "report.html"));
    expect(report.toString("utf8")).toContain('<span class="status finished">finished</span>');
    expect(reports(after.node)).toHaveLength(1);
    expect(after.files.filter((f) => f.path === "report.html").map((f) => f.sha256)).toEqual([sha256(report)]);

    const again = await sync(configPath);
    expect(again.code, again.stderr).toBe(0);
    expect(again.answer).toMatchObject({ outcome: "already", runId: result.runId });
  }, 120_000);

  it("a results patch the platform refused is left for sync, which tries it again until the platform takes it", async () => {
    const { front, dir, configPath } = await prepare(filesSolver(2, true));
    let patches = 0;
    let refuse = true;
    front.rule = (req) => {
      if (req.method !== "PUT" || !req.url.startsWith("/simulation/run/patch/")) return "pass";
      patches++;
      return refuse ? 422 : "pass";
    };
    const result = await runSolver({ configPath, tuning: { retry: RETRY } });
    expect(result.status).toBe("error");
    expect(result.error?.message).toContain("422");
    expect(await readJson(join(dir, "debug", "left-unsent.json"))).toEqual({ runId: result.runId, results: true, archives: [], resultZip: false });
    // Still refused: sync fails with the platform's reason, and keeps the record.
    const refused = await sync(configPath);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("422");
    expect(await exists(join(dir, "debug", "left-unsent.json"))).toBe(true);
    // Taken (say, the platform was mended): sync sends it, and only it.
    refuse = false;
    const taken = await sync(configPath);
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.answer).toMatchObject({ outcome: "sent", runId: result.runId });
    expect(patches).toBe(3);
    const again = await sync(configPath);
    expect(again.answer).toMatchObject({ outcome: "already", runId: result.runId });
  }, 120_000);

  it("only the run report failed: the run ends finished, records it, and sync sends it, listed once", async () => {
    const { s, front, dir, configPath } = await prepare(filesSolver(2));
    let down = true;
    front.rule = (req) => (down && uploadPath(req) === "report.html" ? 503 : "pass");
    const result = await runSolver({ configPath, tuning: { retry: RETRY } });
    expect(result.status).toBe("finished");
    expect(result.warnings.join("\n")).toContain("the run report could not be sent");
    expect(await readJson(join(dir, "debug", "left-unsent.json"))).toEqual({ runId: result.runId, results: false, archives: [], resultZip: false });

    down = false;
    const first = await sync(configPath);
    expect(first.code, first.stderr).toBe(0);
    expect(first.answer).toMatchObject({ outcome: "sent", runId: result.runId });
    const after = await runRecord(s, result.runId);
    expect(reports(after.node), "the run report listed once").toHaveLength(1);
    expect(after.files.filter((f) => f.path === "report.html")).toHaveLength(1);
    expect(after.node.status).toBe("finished");
    const again = await sync(configPath);
    expect(again.answer).toMatchObject({ outcome: "already", runId: result.runId });
  }, 120_000);

  it("the results patch failed, then the run report missed the flush time: the record keeps the results for sync", async () => {
    const { front, dir, configPath } = await prepare();
    let patches = 0;
    let down = true;
    front.rule = (req) => {
      if (req.method === "PUT" && req.url.startsWith("/simulation/run/patch/")) {
        patches++;
        return down ? 503 : "pass";
      }
      return down && uploadPath(req) === "report.html" ? "hold" : "pass";
    };
    const result = await runSolver({ configPath, tuning: { flushMs: FLUSH_MS, retry: RETRY } });
    expect(result.status).toBe("error");
    expect(result.warnings.join("\n")).toContain("the run report was not sent within the flush time");
    // Written by the sends (results left), then by the report's stage: the second did not take back the first.
    expect(await readJson(join(dir, "debug", "left-unsent.json"))).toEqual({ runId: result.runId, results: true, archives: [], resultZip: false });

    down = false;
    const before = patches;
    const first = await sync(configPath);
    expect(first.code, first.stderr).toBe(0);
    expect(patches - before, "sync sends the results patch").toBe(1);
  }, 120_000);
});
