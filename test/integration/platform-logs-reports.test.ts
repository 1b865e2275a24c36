/**
 * The local platform's logs, results and reports through its real HTTP API: a heat1d job followed
 * live over Server-Sent Events to its end, its log's tail, its result.zip, and the reports of a job
 * and of a sweep fetched through pre-signed links with no token.
 */
import { createWriteStream } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followJobLog, SSE_HEADERS } from "../../src/local-platform/logs/follow-job-log.js";
import type { Job } from "../../src/local-platform/platform-types.js";
import { presign } from "../../src/local-platform/reports/presign.js";
import { waitFor } from "../helpers/pids.js";
import { api, registerUser, startTestPlatform, testSolversDir, type TestPlatform } from "../helpers/platform.js";

interface SseEvent {
  event: string;
  data: string;
}

/** Reads an event stream to its end as a client would, through fetch's body reader. */
async function followEvents(url: string, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string | null; events: SseEvent[] }> {
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers } });
  const events: SseEvent[] = [];
  if (res.status !== 200 || !res.body) return { status: res.status, contentType: res.headers.get("content-type"), events };
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = buffer.indexOf("\n\n")) !== -1) {
      const block = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
        else if (line.startsWith("data:")) data.push(line.slice(5));
      }
      if (data.length) events.push({ event, data: data.join("\n") });
    }
  }
  expect(buffer).toBe("");
  return { status: res.status, contentType: res.headers.get("content-type"), events };
}

function zipEntries(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error("no zip"));
      const names: string[] = [];
      zip.on("entry", (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on("end", () => resolve(names));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

const linesOf = (text: string): string[] => (text === "" ? [] : text.replace(/\n$/, "").split("\n"));

let p: TestPlatform;
let solversDir: string;
let work: string;
let ada: string;
let bob: string;
const serverLog: string[] = [];

async function submit(token: string, body: unknown): Promise<{ sweepId: string | null; jobs: Job[] }> {
  const res = await api(p, "POST", "api/v1/jobs", { token, json: body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { sweepId: string | null; jobs: Job[] };
}

function waitEnded(token: string, id: string): Promise<Job> {
  return waitFor(
    async () => {
      const job = (await (await api(p, "GET", `api/v1/jobs/${id}`, { token })).json()) as Job;
      return ["finished", "error", "cancelled"].includes(job.status) ? job : undefined;
    },
    90_000,
    `job ${id} to end`,
  );
}

beforeAll(async () => {
  solversDir = await testSolversDir();
  work = await mkdtemp(path.join(tmpdir(), "pw-logs-reports-"));
  // The runner packs result.zip from what the solver type's solverConfig.json names in "downloadable".
  const downloadable = { basic: { outputs: { "results.csv": true, plots: true } } };
  await writeFile(path.join(solversDir, "heat1d", "solverConfig.json"), JSON.stringify({ downloadable }));
  p = await startTestPlatform({ solversDir, log: (line) => serverLog.push(line) });
  ada = (await registerUser(p, "ada")).token;
  bob = (await registerUser(p, "bob")).token;
}, 60_000);

afterAll(async () => {
  await p?.cleanup();
  await rm(solversDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe("local platform: logs and results", () => {
  let job: Job;

  it("follows a heat1d job's log over SSE to its end: the lines stored, progress, the finished job", async () => {
    job = (await submit(ada, { solver: "heat1d", parameters: { slow: 0.1 } })).jobs[0] as Job;
    const { status, contentType, events } = await followEvents(new URL(`api/v1/jobs/${job.id}/logs/stream`, p.url).toString(), { authorization: `Bearer ${ada}` });
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/event-stream/);

    const end = events.at(-1);
    expect(end?.event).toBe("end");
    const ended = JSON.parse(end?.data ?? "{}") as Job;
    expect(ended).toMatchObject({ id: job.id, status: "finished", progress: 100 });
    expect(events.filter((e) => e.event === "end")).toHaveLength(1);

    const statuses = events.filter((e) => e.event === "status").map((e) => JSON.parse(e.data) as Job);
    expect(statuses.every((s) => s.id === job.id)).toBe(true);
    expect(statuses.some((s) => s.status === "running" && s.progress > 0 && s.progress < 100)).toBe(true);

    // The lines received are the stored main.log's, in order, each once.
    const received = events.filter((e) => e.event === "log").flatMap((e) => e.data.split("\n"));
    const runId = ended.runId as string;
    const stored = (await p.server.store.files(runId)).find((f) => f.path === "logs/main.log");
    expect(stored).toBeDefined();
    const storedLines = linesOf(await readFile(stored?.file as string, "utf8"));
    expect(storedLines.length).toBeGreaterThan(5);
    expect(received).toEqual(storedLines);

    const whole = await api(p, "GET", `api/v1/jobs/${job.id}/logs`, { token: ada });
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(linesOf(await whole.text())).toEqual(storedLines);
  }, 90_000);

  it("an ended job's stream sends the stored log and ends at once; ?token= serves an EventSource, and stays out of the logs", async () => {
    const started = Date.now();
    const url = new URL(`api/v1/jobs/${job.id}/logs/stream?token=${encodeURIComponent(ada)}`, p.url).toString();
    const { status, events } = await followEvents(url);
    expect(status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(events.map((e) => e.event)).toEqual(["status", ...events.slice(1, -1).map(() => "log"), "end"]);
    expect(events.length).toBeGreaterThan(2);

    expect((await followEvents(new URL(`api/v1/jobs/${job.id}/logs/stream`, p.url).toString())).status).toBe(401);
    expect((await followEvents(new URL(`api/v1/jobs/${job.id}/logs/stream?token=nonsense`, p.url).toString())).status).toBe(401);
    const requests = await readFile(path.join(p.dataDir, "requests.jsonl"), "utf8");
    expect(requests).toContain(`/api/v1/jobs/${job.id}/logs/stream`);
    expect(requests).not.toContain(ada);
    expect(serverLog.join("\n")).not.toContain(ada);
    expect(requests).not.toContain("token=");
  });

  it("logs?tail=N gives the last N lines; a bad N is a 400 naming it", async () => {
    const all = linesOf(await (await api(p, "GET", `api/v1/jobs/${job.id}/logs`, { token: ada })).text());
    const tail = await api(p, "GET", `api/v1/jobs/${job.id}/logs?tail=5`, { token: ada });
    expect(tail.status).toBe(200);
    expect(linesOf(await tail.text())).toEqual(all.slice(-5));
    const bad = await api(p, "GET", `api/v1/jobs/${job.id}/logs?tail=0`, { token: ada });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/\?tail must be a whole number/);
  });

  it("result downloads as a zip holding what the runner packed", async () => {
    const res = await api(p, "GET", `api/v1/jobs/${job.id}/result`, { token: ada });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="heat1d-${job.id}.zip"`);
    const file = path.join(work, "result.zip");
    await pipeline(Readable.fromWeb(res.body as never), createWriteStream(file));
    const entries = await zipEntries(file);
    expect(entries).toEqual(expect.arrayContaining(["outputs/results.csv", "outputs/plots/midpoint.csv", "outputs/plots/temperature.csv"]));
  });

  it("another user gets 404 for the job's logs, stream, result and report", async () => {
    for (const route of ["logs", "logs?tail=5", "logs/stream", "result"]) {
      const res = await api(p, "GET", `api/v1/jobs/${job.id}/${route}`, { token: bob });
      expect(res.status, route).toBe(404);
      expect(((await res.json()) as { error: string }).error).toBe(`no job "${job.id}"`);
    }
    const report = await api(p, "POST", "api/v1/reports", { token: bob, json: { jobId: job.id } });
    expect(report.status).toBe(404);
  });

  it("a running job: no result.zip yet (a 404 that says so), its log so far, a report built by the platform", async () => {
    const running = (await submit(ada, { solver: "sleeper", parameters: { seconds: 30 } })).jobs[0] as Job;
    // Its first line stored: the runner is under way and has sent its live log.
    await waitFor(
      async () => ((await (await api(p, "GET", `api/v1/jobs/${running.id}/logs`, { token: ada })).text()).includes("sleeping 30") ? true : undefined),
      30_000,
      "the sleeper's first log line",
    );
    const res = await api(p, "GET", `api/v1/jobs/${running.id}/result`, { token: ada });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toBe(`job "${running.id}" has no result.zip yet (it is running); it is stored when the run ends`);

    const made = await api(p, "POST", "api/v1/reports", { token: ada, json: { jobId: running.id } });
    expect(made.status).toBe(201);
    const html = await (await fetch(((await made.json()) as { url: string }).url)).text();
    expect(html).toContain(`<h1>Job ${running.id} <span class="status running">running</span></h1>`);
    expect(html).toContain("sleeping 30.0s");
    expect(html).toContain("<td>seconds</td><td>30</td>");

    // A client that goes away mid-stream: its job listener is gone with it. Counted by wrapping the
    // platform's own events object, which every stream subscribes through.
    const events = p.deps.events;
    const on = events.on.bind(events);
    let listening = 0;
    events.on = (listener) => {
      listening++;
      const off = on(listener);
      return () => {
        listening--;
        off();
      };
    };
    try {
      const abort = new AbortController();
      const stream = await fetch(new URL(`api/v1/jobs/${running.id}/logs/stream`, p.url), { headers: { authorization: `Bearer ${ada}` }, signal: abort.signal });
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      let text = "";
      while (!text.includes("sleeping 30")) text += new TextDecoder().decode((await reader.read()).value);
      expect(text).toMatch(/^event: status\ndata: \{/);
      expect(listening).toBe(1);
      abort.abort();
      await waitFor(() => (listening === 0 ? true : undefined), 5000, "the stream's listener to be removed");
    } finally {
      events.on = on;
    }

    expect((await api(p, "DELETE", `api/v1/jobs/${running.id}`, { token: ada })).status).toBe(200);
    expect((await waitEnded(ada, running.id)).status).toBe("cancelled");
  }, 60_000);
});

describe("local platform: the log stream's timing", () => {
  it("pings a quiet stream, with the poll and ping intervals as options", async () => {
    const quiet = (await submit(ada, { solver: "sleeper", parameters: { seconds: 30 } })).jobs[0] as Job;
    // The stream itself, on a server of its own so its intervals can be short; the platform's deps are the real ones.
    const server = http.createServer((req, res) => {
      res.writeHead(200, SSE_HEADERS);
      void followJobLog(p.deps, quiet, res, { pollMs: 50, pingMs: 100 }).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const abort = new AbortController();
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: abort.signal });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = "";
      while ((text.match(/^: ping$/gm) ?? []).length < 3 || !text.includes("sleeping 30")) text += new TextDecoder().decode((await reader.read()).value);
      expect(text).toMatch(/^event: status\n/);
      expect(text).not.toContain("event: end");
      abort.abort();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await api(p, "DELETE", `api/v1/jobs/${quiet.id}`, { token: ada });
      await waitEnded(ada, quiet.id);
    }
  }, 60_000);
});

describe("local platform: reports", () => {
  it("a job's report and a sweep's report download through their pre-signed links, with no token", async () => {
    const { jobs } = await submit(ada, { solver: "heat1d", parameters: { slow: 0 } });
    const job = await waitEnded(ada, (jobs[0] as Job).id);
    expect(job.status).toBe("finished");

    const made = await api(p, "POST", "api/v1/reports", { token: ada, json: { jobId: job.id } });
    expect(made.status).toBe(201);
    const link = (await made.json()) as { id: string; url: string; path: string; expiresAt: string };
    expect(link.url).toBe(new URL(link.path, p.url).toString());
    expect(link.path).toMatch(new RegExp(`^api/v1/reports/${link.id}/download\\?expires=\\d+&signature=[0-9a-f]{64}$`));
    expect(Date.parse(link.expiresAt)).toBeGreaterThan(Date.now());
    const page = await fetch(link.url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain("mid_temperature");
    expect(html).toContain("converged");

    // A fresh link to it: the owner's; another user's request is a 404.
    const again = await api(p, "GET", `api/v1/reports/${link.id}`, { token: ada });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(link.id);
    expect((await api(p, "GET", `api/v1/reports/${link.id}`, { token: bob })).status).toBe(404);

    // Tampered and expired links are 403s that say which.
    const signature = new URL(link.url).searchParams.get("signature") as string;
    const tampered = link.url.replace(signature, (signature[0] === "0" ? "1" : "0") + signature.slice(1));
    const refused = await fetch(tampered);
    expect(refused.status).toBe(403);
    const refusal = ((await refused.json()) as { error: string }).error;
    expect(refusal).toMatch(/signature does not match/);
    expect(refusal).not.toContain(signature);
    const longer = await fetch(link.url.replace(/expires=\d+/, `expires=${Date.now() + 86_400_000}`));
    expect(longer.status).toBe(403);
    const past = presign(p.deps.settings.jwtSecret, link.id, -1000);
    const expired = await fetch(new URL(`api/v1/reports/${link.id}/download?expires=${past.expires}&signature=${past.signature}`, p.url));
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { error: string }).error).toMatch(/expired at/);

    // A sweep of two points: a table of both and a chart of each numeric result against alpha.
    const sweep = await submit(ada, { solver: "heat1d", parameters: { slow: 0 }, sweep: { parameters: { alpha: [0.0001, 0.0002] } } });
    expect(sweep.sweepId).not.toBeNull();
    expect(sweep.jobs).toHaveLength(2);
    const points = await Promise.all(sweep.jobs.map((j) => waitEnded(ada, j.id)));
    expect(points.map((j) => j.status)).toEqual(["finished", "finished"]);
    expect((await api(p, "POST", "api/v1/reports", { token: bob, json: { sweepId: sweep.sweepId } })).status).toBe(404);
    const both = await api(p, "POST", "api/v1/reports", { token: ada, json: { jobId: job.id, sweepId: sweep.sweepId } });
    expect(both.status).toBe(400);
    const sweepReport = await api(p, "POST", "api/v1/reports", { token: ada, json: { sweepId: sweep.sweepId } });
    expect(sweepReport.status).toBe(201);
    const sweepHtml = await (await fetch(((await sweepReport.json()) as { url: string }).url)).text();
    for (const point of points) expect(sweepHtml).toContain(point.id);
    expect(sweepHtml).toContain("0.0001");
    expect(sweepHtml).toContain("0.0002");
    expect(sweepHtml).toContain("mid_temperature against alpha");
    expect(sweepHtml).toMatch(/<svg class="chart"/);
    const results = await p.server.store.results(points[0]?.runId as string);
    const mid = results.find((r) => r.name === "mid_temperature");
    expect(mid).toBeDefined();
    expect(sweepHtml).toContain(`<td class="value">${String(mid?.value)}</td>`);
  }, 120_000);

  it("an expired link from a platform with a short TTL is a 403", { timeout: 90_000 }, async () => {
    const short = await startTestPlatform({ urlTtlMs: 1000 });
    try {
      const { token } = await registerUser(short, "cy");
      const submitted = await api(short, "POST", "api/v1/jobs", { token, json: { solver: "heat1d", parameters: { slow: 0, t_end: 3 } } });
      const id = (((await submitted.json()) as { jobs: Job[] }).jobs[0] as Job).id;
      // Ended before the platform closes: no solver is left running over a folder that goes.
      await waitFor(async () => {
        const job = (await (await api(short, "GET", `api/v1/jobs/${id}`, { token })).json()) as Job;
        return ["finished", "error", "cancelled"].includes(job.status) ? job : undefined;
      }, 60_000, "the job to end");
      const made = await api(short, "POST", "api/v1/reports", { token, json: { jobId: id } });
      expect(made.status).toBe(201);
      const { url } = (await made.json()) as { url: string };
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const res = await fetch(url);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/expired at .*GET api\/v1\/reports\//);
    } finally {
      await short.cleanup();
    }
  });
});
