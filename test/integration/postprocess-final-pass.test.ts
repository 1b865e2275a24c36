/**
 * protocol.md part 2 #9 and part 1 "Post-processing": the final pass over outputs/ runs whatever
 * failed before it in post-processing (the results patch, the archives, result.zip), so nothing
 * written is lost, and the run still ends `error` naming that earlier failure.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runSolver, syncRun, type RunEvent } from "../../src/index.js";
import type { RunNode, TreeNode } from "../../src/platform/types.js";
import { runRecord as fetchRunRecord } from "../helpers/server-records.js";
import { platformFields, writeConfig, writePlatformRun } from "../helpers/platform-run.js";
import { callServer, plainRunData, seedRunData, startTestServer, type TestServer } from "../helpers/server.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** Writes results.csv (its "note" RESULT_NOTE_BYTES long) and outputs/files/field.dat, then exits 0 at once. */
const SOLVER = `
import argparse, os
p = argparse.ArgumentParser()
p.add_argument("--outputsPath")
out = p.parse_known_args()[0].outputsPath
os.makedirs(os.path.join(out, "files"), exist_ok=True)
with open(os.path.join(out, "files", "field.dat"), "wb") as f:
    f.write(bytes(range(256)) * 4)
with open(os.path.join(out, "results.csv"), "w") as f:
    f.write("name,type,value\\nT,scalar,1.5\\nnote,ascii," + "x" * int(os.environ["RESULT_NOTE_BYTES"]) + "\\n")
`;

interface RunRecord {
  node: RunNode;
  results: unknown[];
  files: { path?: string; sha256: string }[];
}

async function prepare(serverOptions: Parameters<typeof startTestServer>[0]) {
  const s = await startTestServer(serverOptions);
  cleanups.push(() => s.cleanup());
  await seedRunData(s.dataDir, "p1", "sim1", plainRunData({ downloadable: { basic: { outputs: { files: true } } } }));
  const dir = await mkdtemp(join(tmpdir(), "pw-final-pass-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const configPath = await writePlatformRun(dir, s, SOLVER);
  return { s, dir, configPath };
}

const runRecord = (s: TestServer, runId: string) => fetchRunRecord<RunRecord>(s, runId);

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("post-processing: the final pass runs whatever failed before it", () => {
  it.each([
    {
      // A results value larger than the platform takes: a 4xx, not retried.
      why: "413 on patch results",
      server: { maxBodyBytes: 16 * 1024 },
      noteBytes: 32 * 1024,
      reason: /^patch results \(PUT simulation\/run\/patch\/[^)]+\): the platform answered 413 /,
    },
    {
      why: "503 on patch results until the tries run out",
      server: { faultRate: 1, faultKinds: ["503" as const], faultPaths: ["simulation/run/patch"] },
      noteBytes: 10,
      reason: /^patch results \(PUT simulation\/run\/patch\/[^)]+\): the platform answered 503 .*\(gave up after 2 tries\)/,
    },
  ])("$why: the outputs and result.zip still reach the server, the run ends error naming the patch", async ({ server, noteBytes, reason }) => {
    const { s, dir, configPath } = await prepare(server);
    const events: RunEvent[] = [];
    const result = await runSolver({
      configPath,
      env: { ...process.env, RESULT_NOTE_BYTES: String(noteBytes) },
      // The watcher never finds the output settled, so only the final pass can send it.
      tuning: { settleMs: 60_000, retry: { tries: 2, baseDelayMs: 10, maxDelayMs: 20 } },
      onEvent: (e) => events.push(e),
    });

    expect(result.status).toBe("error");
    expect(result.error?.message).toMatch(reason);
    const record = await runRecord(s, result.runId);
    expect(record.node.status).toBe("error");
    expect(record.node.statusLabel).toMatch(reason);
    expect(record.results).toEqual([]);

    for (const path of ["files/field.dat", "results.csv"]) {
      const stored = record.files.find((f) => f.path === path);
      expect(stored, `outputs/${path} on the server`).toBeDefined();
      expect(stored?.sha256, `outputs/${path} byte-identical`).toBe(sha256(await readFile(join(dir, "outputs", path))));
    }
    const downloadables = (record.node.children.find((c) => c.slug === "downloadables")?.children ?? []) as TreeNode[];
    expect(downloadables.map((d) => d.slug)).toContain("result.zip");

    // The final pass's label, sizes with one decimal and a unit (protocol.md part 1), bytes included.
    const labels = events.flatMap((e) => (e.type === "progress" ? [e.label] : []));
    const uploading = labels.filter((l) => l.startsWith("uploading results "));
    expect(uploading.length).toBeGreaterThan(0);
    for (const label of uploading) expect(label).toMatch(/^uploading results \d+\.\d(?:B|KB|MB|GB|TB)\/\d+\.\d(?:B|KB|MB|GB|TB)$/);
    expect(uploading[0]).toMatch(/^uploading results 0\.0B\//);
  });

  it("sync too: an offline run's outputs reach the server although its results patch is refused", async () => {
    const { s, dir, configPath } = await prepare({ maxBodyBytes: 16 * 1024 });
    const env = { ...process.env, RESULT_NOTE_BYTES: String(32 * 1024) };
    expect((await runSolver({ configPath, offline: true, env })).status).toBe("finished");

    const error = (await syncRun({ configPath, env, tuning: { retry: { tries: 2, baseDelayMs: 10, maxDelayMs: 20 } } }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^patch results \(PUT simulation\/run\/patch\/[^)]+\): the platform answered 413 /);
    const runId = (JSON.parse(await readFile(configPath, "utf8")) as { resource: { id: string } }).resource.id;
    const record = await runRecord(s, runId);
    for (const path of ["files/field.dat", "results.csv"]) {
      const stored = record.files.find((f) => f.path === path);
      expect(stored, `outputs/${path} on the server`).toBeDefined();
      expect(stored?.sha256, `outputs/${path} byte-identical`).toBe(sha256(await readFile(join(dir, "outputs", path))));
    }
  });

  it("sends a live file's last bytes although they do not end a character: a binary plot, a log cut mid-character", async () => {
    const { s, dir, configPath } = await prepare({});
    const solver = `import argparse, os
p = argparse.ArgumentParser()
p.add_argument("--outputsPath")
out = p.parse_known_args()[0].outputsPath
for sub, name, data in [("plots", "chart.png", b"\\x89PNG\\r\\n" + bytes(range(256)) + b"\\xe2\\x82"), ("logs", "cut.log", "line\\n".encode() + b"h\\xc3")]:
    os.makedirs(os.path.join(out, sub), exist_ok=True)
    with open(os.path.join(out, sub, name), "wb") as f:
        f.write(data)
`;
    await writeFile(join(dir, "scripts", "main.py"), solver);
    const result = await runSolver({ configPath, env: { ...process.env, RESULT_NOTE_BYTES: "1" } });
    expect(result.status, result.error?.message).toBe("finished");
    const record = await runRecord(s, result.runId);
    for (const path of ["plots/chart.png", "logs/cut.log"]) {
      const stored = record.files.find((f) => f.path === path);
      expect(stored, `outputs/${path} on the server`).toBeDefined();
      expect(stored?.sha256, `outputs/${path} byte-identical`).toBe(sha256(await readFile(join(dir, "outputs", path))));
    }
  });

  it("counts a live file's bytes sent during the run out of the final pass's total: its label ends at X/X", async () => {
    const { dir, configPath } = await prepare({});
    const solver = `import argparse, os, time
p = argparse.ArgumentParser()
p.add_argument("--outputsPath")
out = p.parse_known_args()[0].outputsPath
os.makedirs(os.path.join(out, "logs"), exist_ok=True)
with open(os.path.join(out, "logs", "big.log"), "w") as f:
    f.write("a line of the solver's log\\n" * 12000)
time.sleep(1.5)
`;
    await writeFile(join(dir, "scripts", "main.py"), solver);
    const events: RunEvent[] = [];
    const result = await runSolver({ configPath, env: { ...process.env, RESULT_NOTE_BYTES: "1" }, tuning: { liveIntervalMs: 200 }, onEvent: (e) => events.push(e) });
    expect(result.status, result.error?.message).toBe("finished");
    const uploading = events.flatMap((e) => (e.type === "progress" && e.label.startsWith("uploading results ") ? [e.label] : []));
    const [done, total] = (uploading.at(-1) ?? "").replace("uploading results ", "").split("/");
    expect(total, uploading.join("; ")).toBeDefined();
    expect(done).toBe(total);
  });

  it("an append the platform refuses (413) fails at once, not after restarts from the file's start", async () => {
    const { s, dir, configPath } = await prepare({ maxBodyBytes: 16 * 1024 });
    const solver = `import argparse, os
p = argparse.ArgumentParser()
p.add_argument("--outputsPath")
out = p.parse_known_args()[0].outputsPath
os.makedirs(os.path.join(out, "logs"), exist_ok=True)
with open(os.path.join(out, "logs", "big.log"), "w") as f:
    f.write(("a log line " * 6 + "\\n") * 600)
`;
    await writeFile(join(dir, "scripts", "main.py"), solver);
    const result = await runSolver({ configPath, env: { ...process.env, RESULT_NOTE_BYTES: "1" }, tuning: { settleMs: 60_000 } });
    expect(result.status).toBe("error");
    expect(result.error?.message).toMatch(/outputs\/logs\/big\.log: .*413/);
    const refused = (await readFile(join(s.dataDir, "requests.jsonl"), "utf8"))
      .split("\n")
      .filter((line) => line.includes('"path":"/storage/append"') && line.includes('"status":413'));
    // One refusal per send of the file (one while the solver runs at most, one in the final pass);
    // with restarts, each send was 5 tries of the whole file.
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThanOrEqual(2);
  });
});
