import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { afterEach, describe, expect, it } from "vitest";
import { runSolver } from "../../src/index.js";
import type { RunResult } from "../../src/run-result.js";
import { platformFields, sha256, writeConfig } from "../helpers/platform-run.js";
import { waitFor } from "../helpers/pids.js";
import { runCli } from "../helpers/run-cli.js";
import { callServer, seedRunData, startTestServer, type TestServer, plainRunData } from "../helpers/server.js";
import { useTempWorks } from "../helpers/work-dir.js";

const { work } = useTempWorks();
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.cleanup()));
});

const RUN_DATA = plainRunData();

async function platformWork(solver: string, options: Parameters<typeof startTestServer>[0] = {}) {
  const s = await startTestServer(options);
  servers.push(s);
  await seedRunData(s.dataDir, "p1", "sim1", RUN_DATA);
  const w = await work(solver);
  await writeConfig(w.configPath, platformFields(s, { workDir: ".", mainScript: solver }));
  return { s, w };
}

interface StoredFile {
  path?: string;
  sha256: string;
  size: number;
}

async function storedFiles(s: TestServer, runId: string): Promise<StoredFile[]> {
  return ((await (await callServer(s, "GET", `runs/${runId}`)).json()) as { files: StoredFile[] }).files;
}

async function fileSha(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

describe("live outputs", () => {
  it("5,000 small files written during a run all arrive, byte-identical", async () => {
    const { s, w } = await platformWork("many-files.py", { v2: false });
    const result = await runSolver({ configPath: w.configPath, env: { ...process.env, MANY_FILES: "5000" }, tuning: { settleMs: 200 } });
    expect(result.status, result.error?.message).toBe("finished");
    const files = (await storedFiles(s, result.runId)).filter((f) => f.path?.startsWith("files/many/"));
    expect(files).toHaveLength(5000);
    for (const f of files) {
      const i = Number(/f(\d+)\.txt$/.exec(f.path as string)?.[1]);
      expect(f.sha256, f.path).toBe(sha256(Buffer.from(`${`file ${i} `.repeat(1 + (i % 7))}\n`)));
    }
    // Generous: about 45 s on an idle 2-core machine, several times that when the machine is busy.
  }, 300_000);

  it("a live log whose append lost its connection is sent again from its start, in the final pass too", async () => {
    // Every other append has its connection cut before the server reads it; the client cannot
    // know whether it was applied, so the log is sent again from its start (appends carry no offset).
    let calls = 0;
    const random = () => (calls++ % 3 === 0 ? 0 : 0.99);
    const { s, w } = await platformWork("late-logs.py", { faultRate: 0.5, faultKinds: ["drop"], faultPaths: ["storage/append"], random });
    const result = await runSolver({ configPath: w.configPath });
    expect(result.status, result.error?.message).toBe("finished");
    const files = await storedFiles(s, result.runId);
    for (let i = 0; i < 3; i++) {
      const stored = files.find((f) => f.path === `logs/late-${i}.log`);
      expect(stored?.sha256, `logs/late-${i}.log`).toBe(await fileSha(join(w.dir, `outputs/logs/late-${i}.log`)));
    }
    const log = await readFile(join(s.dataDir, "requests.jsonl"), "utf8");
    expect(log.split("\n").filter((l) => l.includes('"fault":"drop"')).length).toBeGreaterThan(0);
  }, 60_000);

  it("sends whole files after the solver, as protocol.md's table says: once each, in their final form", async () => {
    const { s, w } = await platformWork("slow-and-rewrite.py", { v2: false });
    let solverEnd = 0;
    const result = await runSolver({
      configPath: w.configPath,
      env: { ...process.env, SLOW_SECONDS: "1", TAIL_SECONDS: "1.5" },
      // Settled long before the solver ends: only the default keeps them back until then.
      settleTime: 0.2,
      onEvent: (e) => {
        if (e.type === "stage" && e.stage.name === "execute" && e.stage.status !== "running") solverEnd = Date.now();
      },
    });
    expect(result.status, result.error?.message).toBe("finished");
    expect(result.warnings.join("\n")).toMatch(/options\.settleTime has no effect without options\.filesDuringRun/);
    const files = await storedFiles(s, result.runId);
    expect(files.find((f) => f.path === "files/rewritten.txt")?.sha256).toBe(sha256(Buffer.from("second and final version\n")));
    const chunks = (await readFile(join(s.dataDir, "requests.jsonl"), "utf8"))
      .split("\n")
      .filter((l) => l.includes('"path":"/storage/chunks"'))
      .map((l) => JSON.parse(l) as { at: string });
    // slow.bin, rewritten.txt and report.html, one chunk each, each begun after the solver ended.
    expect(chunks).toHaveLength(3);
    expect(solverEnd).toBeGreaterThan(0);
    for (const c of chunks) expect(Date.parse(c.at)).toBeGreaterThanOrEqual(solverEnd - 50);
  }, 60_000);

  it("sends a linked output as the file it links to when that lies in the work directory, and warns of the links it leaves out", async () => {
    const { s, w } = await platformWork("links.py", { v2: true });
    const outside = join(w.dir, "..", `outside-${Date.now()}.txt`);
    await writeFile(outside, "not the run's to send\n");
    const result = await runSolver({ configPath: w.configPath, env: { ...process.env, LINK_OUTSIDE: outside } });
    expect(result.status, result.error?.message).toBe("finished");
    const files = await storedFiles(s, result.runId);
    expect(files.find((f) => f.path === "files/linked.bin")?.sha256).toBe(sha256(Buffer.from(Array.from({ length: 256 * 40 }, (_, i) => i % 256))));
    expect(files.map((f) => f.path).filter((p) => p?.startsWith("files/"))).toEqual(["files/linked.bin"]);
    const warnings = result.warnings.join("\n");
    expect(warnings).toContain("outputs/files/outside.txt: not sent, a link out of the work directory");
    expect(warnings).toContain("outputs/files/folder: not sent, a link to a folder or a special file");
    expect(warnings).toContain("outputs/files/broken: not sent, a link to nothing");
    // The config holds the token: a link to it (or into debug/) is never followed.
    expect(warnings).toMatch(/outputs\/files\/config\.json: not sent, a link to the run's config or debug\/ \(to .*config\.json\), which may hold the token/);
    expect(warnings).toContain("outputs/files/runner.log: not sent, a link to the run's config or debug/");
  }, 60_000);

  it("during the run, reads no link out of the work directory, to the config or debug/, no loop and no FIFO: warns once of each, does not hang or crash", async () => {
    const { s, w } = await platformWork("odd-live-outputs.py", { v2: true });
    const outside = join(w.dir, "..", `outside-${Date.now()}.log`);
    await writeFile(outside, "not the run's to send\n");
    const started = Date.now();
    const result = await runSolver({ configPath: w.configPath, env: { ...process.env, LINK_OUTSIDE: outside } });
    expect(result.status, result.error?.message).toBe("finished");
    expect(Date.now() - started).toBeLessThan(30_000);
    const files = await storedFiles(s, result.runId);
    expect(files.find((f) => f.path === "logs/real.log")?.sha256).toBe(sha256(Buffer.from("first line\nsecond line\n")));
    const sent = files.map((f) => f.path).filter((p) => p?.startsWith("logs/") || p?.startsWith("plots/") || p?.startsWith("media/"));
    expect(sent.sort()).toEqual(["logs/main.log", "logs/real.log"]);
    // Nothing the server keeps holds the token or the outside file's text.
    for (const f of await readdir(join(s.dataDir, "runs", result.runId, "files"))) {
      const text = await readFile(join(s.dataDir, "runs", result.runId, "files", f), "utf8");
      expect(text, f).not.toContain(s.token);
      expect(text, f).not.toContain("not the run's to send");
    }
    const warnings = result.warnings.join("\n");
    expect(warnings).toContain("outputs/logs/outside.log: not sent, a link out of the work directory");
    expect(warnings).toMatch(/outputs\/plots\/config\.csv: not sent, a link to the run's config or debug\//);
    expect(warnings).toContain("outputs/logs/fifo.log: not sent, a special file (a FIFO, socket or device: no end to read to)");
    expect(warnings).toContain("outputs/logs/loop1.log: not sent, a link to nothing");
    // Each told once, by the run's sends or by the final pass, not by both.
    expect(result.warnings.filter((m) => m.startsWith("outputs/logs/fifo.log")).length).toBe(1);
    expect(warnings).not.toContain("watching outputs/ failed");
  }, 60_000);

  it("a live output that is a link to a file in the work directory is sent as that file grows, during the run", async () => {
    const { s, w } = await platformWork("linked-log.py");
    let solverEnd = 0;
    const result = await runSolver({
      configPath: w.configPath,
      onEvent: (e) => {
        if (e.type === "stage" && e.stage.name === "execute" && e.stage.status !== "running") solverEnd = Date.now();
      },
    });
    expect(result.status, result.error?.message).toBe("finished");
    const stored = (await storedFiles(s, result.runId)).find((f) => f.path === "logs/run.log");
    expect(stored?.sha256).toBe(sha256(Buffer.from(Array.from({ length: 8 }, (_, i) => `step ${i}\n`).join(""))));
    const appends = (await readFile(join(s.dataDir, "requests.jsonl"), "utf8"))
      .split("\n")
      .filter((l) => l.includes('"path":"/storage/append"'))
      .map((l) => Date.parse((JSON.parse(l) as { at: string }).at));
    // The solver prints nothing: besides main.log's one empty append, these are run.log's, a second apart.
    expect(appends.filter((at) => at < solverEnd - 200).length).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it("a live file rewritten at the same size, or longer with its first bytes kept, arrives in its final form", async () => {
    const { s, w } = await platformWork("rewrite-live.py");
    const result = await runSolver({ configPath: w.configPath });
    expect(result.status, result.error?.message).toBe("finished");
    const files = await storedFiles(s, result.runId);
    for (const path of ["media/frame.raw", "logs/table.log"]) {
      expect(files.find((f) => f.path === path)?.sha256, path).toBe(await fileSha(join(w.dir, "outputs", path)));
    }
  }, 60_000);

  it("with no downloadable spec, a result.zip the solver wrote itself is the run's Result.zip; an earlier run's is not sent again", async () => {
    const { s, w } = await platformWork("own-result-zip.py");
    const first = await runSolver({ configPath: w.configPath });
    expect(first.status, first.error?.message).toBe("finished");
    const zip = await readFile(join(w.dir, "outputs/result.zip"));
    expect((await storedFiles(s, first.runId)).find((f) => f.path === "result.zip")?.sha256).toBe(sha256(zip));
    type Node = { slug: string; name: string; children?: Node[] };
    const record = (await (await callServer(s, "GET", `runs/${first.runId}`)).json()) as { node: Node };
    const downloadables = record.node.children?.find((c) => c.slug === "downloadables")?.children ?? [];
    expect(downloadables.map((c) => c.name)).toContain("Result.zip");
    // The next run (a new run node) leaves the file alone: it is the first run's, not this one's.
    const configText = JSON.parse(await readFile(w.configPath, "utf8")) as Record<string, unknown>;
    delete configText.resource;
    await writeFile(w.configPath, JSON.stringify(configText));
    const second = await runSolver({ configPath: w.configPath, env: { ...process.env, KEEP_ZIP: "1" } });
    expect(second.status, second.error?.message).toBe("finished");
    expect(second.runId).not.toBe(first.runId);
    expect((await storedFiles(s, second.runId)).find((f) => f.path === "result.zip")).toBeUndefined();
  }, 60_000);

  it("names the platform cannot take (a control character, a backslash, not UTF-8) are left out with a warning each, and the run finishes", async () => {
    const { s, w } = await platformWork("odd-names.py");
    const result = await runSolver({ configPath: w.configPath });
    expect(result.status, result.error?.message).toBe("finished");
    expect((await storedFiles(s, result.runId)).map((f) => f.path).filter((p) => p?.startsWith("files/"))).toEqual(["files/plain.txt"]);
    const warnings = result.warnings.join("\n");
    for (const name of ["tab\there.txt", "line\nbreak.txt", "back\\slash.txt"]) {
      expect(warnings).toContain(`outputs/files/${name}: not sent, its name holds a backslash or a control character`);
    }
    expect(warnings).toContain("outputs/files/latin\uFFFD.txt: not sent, its name is not valid UTF-8");
    expect(warnings).toContain("outputs/files/folder\uFFFD: not sent, a folder whose name is not valid UTF-8");
  }, 60_000);

  it("a report.html the solver wrote is kept and sent as its output; the runner's report goes from debug/", async () => {
    const { s, w } = await platformWork("own-report.py");
    const result = await runSolver({ configPath: w.configPath });
    expect(result.status, result.error?.message).toBe("finished");
    const mine = await readFile(join(w.dir, "outputs/report.html"), "utf8");
    expect(mine).toContain("the solver's report");
    expect(result.report).toBe(join(w.dir, "debug/report.html"));
    expect(await readFile(join(w.dir, "debug/report.html"), "utf8")).toContain("Content-Security-Policy");
    const files = await storedFiles(s, result.runId);
    const stored = files.filter((f) => f.path === "report.html");
    // Twice under the one path: the solver's as an output, the runner's as the run report.
    expect(stored.map((f) => f.sha256).sort()).toEqual([sha256(Buffer.from(mine)), await fileSha(join(w.dir, "debug/report.html"))].sort());
  }, 60_000);

  it("a FIFO as report.html and a link to the config as result.zip: neither read, no hang, the token not sent", async () => {
    const { s, w } = await platformWork("odd-own-files.py");
    const started = Date.now();
    const result = await runSolver({ configPath: w.configPath });
    expect(result.status, result.error?.message).toBe("finished");
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.report).toBe(join(w.dir, "debug/report.html"));
    for (const f of await readdir(join(s.dataDir, "runs", result.runId, "files"))) {
      expect(await readFile(join(s.dataDir, "runs", result.runId, "files", f), "utf8"), f).not.toContain(s.token);
    }
    const warnings = result.warnings.join("\n");
    expect(warnings).toContain("outputs/result.zip: not sent, it is not a regular file");
    expect(warnings).toContain("outputs/report.html: not sent, a special file");
  }, 60_000);

  it("a whole file changed while the final pass sends it is sent again, in its final form", async () => {
    const { s, w } = await platformWork("change-after-exit.py", { v2: true, uploadBytesPerSecond: 1_000_000 });
    const result = await runSolver({ configPath: w.configPath, env: { ...process.env, CHANGE_AFTER: "0.8" } });
    expect(result.status, result.error?.message).toBe("finished");
    const local = await readFile(join(w.dir, "outputs/files/target.dat"));
    expect(local.subarray(0, 1).toString()).toBe("b");
    const files = await storedFiles(s, result.runId);
    expect(files.find((f) => f.path === "files/target.dat")?.sha256).toBe(sha256(local));
  }, 60_000);

  it("a whole file emptied and rewritten during its upload is sent again whole; one a process keeps growing is a warning, the last version sent on the platform", async () => {
    const { s, w } = await platformWork("change-after-exit.py", { v2: true, uploadBytesPerSecond: 1_000_000 });
    const rewritten = await runSolver({ configPath: w.configPath, env: { ...process.env, CHANGE_AFTER: "0.5", CHANGE_MODE: "truncate" } });
    expect(rewritten.status, rewritten.error?.message).toBe("finished");
    const local = await readFile(join(w.dir, "outputs/files/target.dat"));
    expect(local.length).toBe(2_000_000);
    expect((await storedFiles(s, rewritten.runId)).find((f) => f.path === "files/target.dat")?.sha256).toBe(sha256(local));

    const growing = await platformWork("change-after-exit.py", { v2: true, uploadBytesPerSecond: 1_000_000 });
    const grown = await runSolver({ configPath: growing.w.configPath, env: { ...process.env, CHANGE_AFTER: "0.3", CHANGE_MODE: "grow" } });
    expect(grown.status, grown.error?.message).toBe("finished");
    expect(grown.warnings.join("\n")).toMatch(/outputs\/files\/target\.dat kept changing while it was being sent \(3 times\): the platform has the version of \d+ bytes sent last/);
    const stored = (await storedFiles(growing.s, grown.runId)).find((f) => f.path === "files/target.dat");
    expect(stored?.size).toBeGreaterThan(2_000_000);
  }, 90_000);

  it("with filesDuringRun, sends a slowly written file once, complete, and a rewritten file in its final form", async () => {
    const { s, w } = await platformWork("slow-and-rewrite.py", { v2: false });
    const result = await runSolver({ configPath: w.configPath, env: { ...process.env, SLOW_SECONDS: "5", TAIL_SECONDS: "2" }, filesDuringRun: true, settleTime: 1 });
    expect(result.status, result.error?.message).toBe("finished");
    const files = await storedFiles(s, result.runId);
    const slow = files.find((f) => f.path === "files/slow.bin");
    expect(slow?.size).toBe(1_000_000);
    expect(slow?.sha256).toBe(await fileSha(join(w.dir, "outputs/files/slow.bin")));
    expect(files.find((f) => f.path === "files/rewritten.txt")?.sha256).toBe(sha256(Buffer.from("second and final version\n")));
    // Each file < 5 MiB is one chunk: slow.bin once, rewritten.txt twice (first version settled, then
    // the rewrite), and the run's report.html once.
    const log = await readFile(join(s.dataDir, "requests.jsonl"), "utf8");
    expect(log.split("\n").filter((l) => l.includes('"path":"/storage/chunks"')).length).toBe(4);
  }, 60_000);

  it("a runner killed with SIGKILL in the middle of a 300 MB upload resumes it from the platform's offset (v2)", async () => {
    // A link of 100 MB/s: the upload takes seconds, so the kill surely falls in its middle.
    const { s, w } = await platformWork("big-file.py", { uploadBytesPerSecond: 100_000_000 });
    const size = 300 * 1024 * 1024;
    let runnerPid = 0;
    const first = runCli([`--configPath=${w.configPath}`], { env: { BIG_FILE_MB: "300" }, onStart: (pid) => (runnerPid = pid) });
    const journalPath = join(w.dir, "debug/uploads.json");
    const uploadId = await waitFor(
      async () => {
        const journal = JSON.parse(await readFile(journalPath, "utf8").catch(() => "{}")) as { files?: Record<string, { uploadId?: string }> };
        return journal.files?.["files/big.bin"]?.uploadId;
      },
      60_000,
      "the v2 upload of big.bin to open",
    );
    // The server writes a PATCH body to disk as it comes: kill the runner once a tenth has arrived.
    const received = join(s.dataDir, "uploads", `${uploadId}.data`);
    await waitFor(async () => ((await stat(received).catch(() => undefined))?.size ?? 0) > size * 0.1, 60_000, "a tenth of the upload to arrive");
    process.kill(runnerPid, "SIGKILL");
    const killed = await first;
    expect(killed.signal).toBe("SIGKILL");
    // The server keeps what arrived before the connection dropped, once it has seen the drop.
    const offsetAtKill = await waitFor(
      async () => {
        const head = await callServer(s, "HEAD", `storage/uploads/${uploadId}`);
        const offset = Number(head.headers.get("upload-offset"));
        return offset > 0 ? offset : undefined;
      },
      10_000,
      "the server to record the partial upload",
    );
    expect(offsetAtKill).toBeGreaterThan(size * 0.1);
    expect(offsetAtKill).toBeLessThan(size);

    const second = await runCli([`--configPath=${w.configPath}`, "--startingStage=post-process", "--json"]);
    expect(second.code, second.stderr).toBe(0);
    const result = JSON.parse(second.stdout) as RunResult;
    const runnerLog = await readFile(join(w.dir, "debug/runner.log"), "utf8");
    const resumedAt = Number(/resumed outputs\/files\/big\.bin at byte (\d+)/.exec(runnerLog)?.[1]);
    // The second runner sent only what the platform lacked: fewer bytes in all than twice the file.
    expect(resumedAt).toBeGreaterThanOrEqual(offsetAtKill);
    const big = (await storedFiles(s, result.runId)).find((f) => f.path === "files/big.bin");
    expect(big?.size).toBe(size);
    expect(big?.sha256).toBe(await fileSha(join(w.dir, "outputs/files/big.bin")));
    const journal = JSON.parse(await readFile(journalPath, "utf8")) as { files: Record<string, { uploadId?: string; done: boolean }> };
    expect(journal.files["files/big.bin"]).toMatchObject({ uploadId, done: true });
  }, 120_000);
});
