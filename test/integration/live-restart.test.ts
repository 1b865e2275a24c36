/**
 * protocol.md part 1 ("a file whose append got no answer is sent again from its start with
 * isNew: true") paced by part 2 #10: the restart waits as the failing answer's Retry-After asks,
 * and a refusal (a 4xx other than 408 and 429) fails at once, without restarts.
 *
 * A real reference server, behind a real node:http front that passes every request on except the
 * appends of outputs/logs/x.log it is told to answer itself.
 */
import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runSolver } from "../../src/index.js";
import { createPlatformClient } from "../../src/platform/index.js";
import { platformFields, sha256, writeConfig } from "../helpers/platform-run.js";
import { startStub, type HttpStub, type StubRequest } from "../helpers/http-stub.js";
import { passOn } from "../helpers/pass-on.js";
import { callServer, plainRunData, seedRunData, startTestServer, type TestServer } from "../helpers/server.js";
import { REPO_ROOT, useTempWorks } from "../helpers/work-dir.js";

const { tempDir } = useTempWorks();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const LOG = "logs/x.log";
const LOG_TEXT = "a line of the solver's log\n".repeat(200);
const SOLVER = `import os
out = os.environ["PHYSICSWORKS_OUTPUTS_DIR"]
os.makedirs(os.path.join(out, "logs"), exist_ok=True)
with open(os.path.join(out, "logs", "x.log"), "w") as f:
    f.write(${JSON.stringify(LOG_TEXT)})
`;
/** Short, so that a restart that waits ~1 s waits for the Retry-After, not for the backoff. */
const RETRY = { baseDelayMs: 5, maxDelayMs: 20 };

interface SeenAppend {
  isNew: boolean;
  chunk: string;
  /** When the front got it, and when it answered (Date.now()). */
  at: number;
  answeredAt: number;
  status: number;
}

/** What the front answers to the n-th append of x.log (from 0) instead of the server; undefined: passed on. */
type Answer = (n: number) => { status: number; headers?: Record<string, string> } | undefined;

async function front(s: TestServer, answer: Answer): Promise<{ stub: HttpStub; appends: SeenAppend[] }> {
  const appends: SeenAppend[] = [];
  const stub = await startStub(async (req, res) => {
    const at = Date.now();
    const fields = appendFields(req);
    if (fields?.metadata?.path === LOG) {
      const own = answer(appends.length);
      const seen: SeenAppend = { isNew: fields.isNew === true, chunk: String(fields.chunk), at, answeredAt: 0, status: own?.status ?? 0 };
      appends.push(seen);
      if (own) {
        const body = JSON.stringify({ error: `the front answers ${own.status}` });
        res.writeHead(own.status, { "content-type": "application/json", ...own.headers });
        seen.answeredAt = Date.now();
        res.end(body);
        return;
      }
      seen.status = await passOn(s.url, req, res);
      seen.answeredAt = Date.now();
      return;
    }
    await passOn(s.url, req, res);
  });
  cleanups.push(() => stub.close());
  return { stub, appends };
}

function appendFields(req: StubRequest): { isNew?: unknown; chunk?: unknown; metadata?: { path?: unknown } } | undefined {
  if (req.method !== "POST" || req.url !== "/storage/append") return undefined;
  const json = new URLSearchParams(req.body.toString("utf8")).get("json");
  return json ? (JSON.parse(json) as { isNew?: unknown; chunk?: unknown; metadata?: { path?: unknown } }) : undefined;
}

async function prepare(answer: Answer) {
  // v1 only and no socket.io: the front passes plain requests on, not a websocket.
  const s = await startTestServer({ v2: false, socketIo: false });
  cleanups.push(() => s.cleanup());
  await seedRunData(s.dataDir, "p1", "sim1", plainRunData());
  const { stub, appends } = await front(s, answer);
  const dir = await tempDir("pw-live-restart-");
  await mkdir(join(dir, "scripts"));
  await writeFile(join(dir, "scripts", "main.py"), SOLVER);
  const configPath = join(dir, "config.json");
  await writeConfig(configPath, platformFields({ url: stub.url, token: s.token }, { workDir: "." }));
  return { s, dir, configPath, appends };
}

describe("a live file sent again after a lost append", () => {
  it("waits as the failing answer's Retry-After asks (502, Retry-After: 1), then sends the file again from its start", async () => {
    const { s, dir, configPath, appends } = await prepare((n) => (n === 0 ? { status: 502, headers: { "retry-after": "1" } } : undefined));
    const result = await runSolver({ configPath, tuning: { retry: RETRY } });
    expect(result.status, result.error?.message).toBe("finished");

    const [failed, again] = appends;
    expect(failed?.status).toBe(502);
    expect(again?.status).toBe(200);
    // From its start, as a new file (what failed may be the first empty append of a file just created).
    expect(again?.isNew).toBe(true);
    expect(LOG_TEXT.startsWith(Buffer.from(again?.chunk ?? "-", "base64").toString())).toBe(true);
    // The backoff alone (RETRY) is a few ms; the header asked for a second.
    expect(again!.at - failed!.answeredAt).toBeGreaterThanOrEqual(950);

    const run = (await (await callServer(s, "GET", `runs/${result.runId}`)).json()) as { files: { path?: string; sha256: string }[] };
    const stored = run.files.find((f) => f.path === LOG);
    expect(stored?.sha256).toBe(sha256(await readFile(join(dir, "outputs", LOG))));
  }, 60_000);

  it("an append refused with 413 fails at once: no restart from the file's start", async () => {
    const { configPath, appends } = await prepare(() => ({ status: 413 }));
    // One send while the solver runs at most, however slow the machine: the next waits a minute.
    const result = await runSolver({ configPath, tuning: { retry: RETRY, liveIntervalMs: 60_000 } });
    expect(result.status).toBe("error");
    expect(result.error?.message).toMatch(/outputs\/logs\/x\.log: .*413/);
    // One refusal per send of the file: at most one while the solver runs, one in the final pass
    // (with restarts, each send would be LIVE_RESTARTS appends).
    expect(appends.length).toBeGreaterThan(0);
    expect(appends.length).toBeLessThanOrEqual(2);
    expect(appends.every((a) => a.status === 413)).toBe(true);
  }, 60_000);
});

describe("a live file's restart wait and the flush time", () => {
  it("a Retry-After of minutes does not outlast the flush time: a program calling runSolver() ends soon after it", async () => {
    const { dir, configPath, appends } = await prepare(() => ({ status: 502, headers: { "retry-after": "600" } }));
    // The solver fails, so the sends are bounded by the flush time (1 s).
    await writeFile(join(dir, "scripts", "main.py"), `${SOLVER}raise SystemExit(1)\n`);
    const program = `import { runSolver } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, "dist/index.js")).href)};
const result = await runSolver({ configPath: ${JSON.stringify(configPath)}, flushTime: 1, tuning: { retry: ${JSON.stringify(RETRY)} } });
console.log(JSON.stringify({ status: result.status, exitCode: result.exitCode }));`;
    const started = Date.now();
    const child = spawn(process.execPath, ["--input-type=module", "-e", program], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 40_000);
      child.on("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    // Before the fix the restart's 600 s wait kept the program's event loop alive after runSolver() returned.
    expect(code, out).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(JSON.parse(out.trim().split("\n").pop() ?? "{}")).toMatchObject({ status: "error", exitCode: 1 });
    expect(appends.length).toBeGreaterThan(0);
  }, 60_000);
});

describe("the marks a failed append carries to the uploader", () => {
  it("a client that gave up after its tries keeps the last Retry-After; a refusal is marked refused", async () => {
    let status = 503;
    const stub = await startStub((_req, res) => {
      res.writeHead(status, { "content-type": "application/json", "retry-after": "7" });
      res.end("{}");
    });
    cleanups.push(() => stub.close());
    const slept: number[] = [];
    const client = createPlatformClient({
      host: stub.url,
      token: "t",
      retry: { tries: 2, sleep: async (ms) => void slept.push(ms), random: () => 0.5 },
    });
    cleanups.push(async () => client.close());
    const body = { filename: "u.log", bytes: Buffer.from("a\n"), isNew: true, isAscii: true, metadata: { project: "p", owner: "o", originalname: "u.log", resource: "j", resourceKind: "Run" as const, simulation: "s" } };

    // 503 is retried by the client itself (it surely was not applied), honouring Retry-After.
    const gaveUp = await client.appendFile(body).then(() => undefined, (e: unknown) => e as { message: string; refused: boolean; retryAfterMs?: number });
    expect(gaveUp?.message).toMatch(/gave up after 2 tries/);
    expect(slept).toEqual([7000]);
    expect(gaveUp?.retryAfterMs).toBe(7000);
    expect(gaveUp?.refused).toBe(false);
    expect(client.retryDelay(1, gaveUp)).toBe(7000);

    status = 413;
    const refused = await client.appendFile(body).then(() => undefined, (e: unknown) => e as { refused: boolean });
    expect(refused?.refused).toBe(true);
    expect(stub.requests).toHaveLength(3);
  });
});
