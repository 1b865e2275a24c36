import { setTimeout as delay } from "node:timers/promises";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Job } from "../../src/local-platform/platform-types.js";
import { mintToken } from "../../src/server/index.js";
import { checkHealth } from "../../src/local-platform/health/health-check.js";
import { natsTestGate, startNatsServer } from "../helpers/nats-server.js";
import { api, passwordOf, registerUser, startTestPlatform, type TestPlatform } from "../helpers/platform.js";

let p: TestPlatform;
let admin: { token: string; user: { id: string; name: string; scopes: string[] } };
let bob: typeof admin;

beforeAll(async () => {
  p = await startTestPlatform();
  admin = await registerUser(p, "ada");
  bob = await registerUser(p, "bob");
});
afterAll(() => p?.cleanup());

async function body<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

let seq = 0;
/** A job put straight into the platform's database: listings and visibility without running solvers. */
function seedJob(owner: string, fields: Partial<Job> = {}): Job {
  seq += 1;
  const job: Job = {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
    owner,
    solver: "heat1d",
    sweepId: null,
    parameters: {},
    config: {},
    status: "finished",
    progress: 100,
    statusLabel: null,
    runId: null,
    error: null,
    exitCode: 0,
    createdAt: new Date(Date.UTC(2020, 0, 1, 0, 0, seq)).toISOString(),
    startedAt: new Date(Date.UTC(2020, 0, 1, 0, 0, seq)).toISOString(),
    endedAt: new Date(Date.UTC(2020, 0, 1, 0, 0, seq, 250)).toISOString(),
    ...fields,
  };
  p.deps.db.insertJob(job);
  return job;
}

describe("users", () => {
  test("the first user registered is the admin, later ones are not; the answer is the user and a 12 h token", async () => {
    expect(admin.user).toMatchObject({ name: "ada", scopes: ["jobs", "admin"] });
    expect(bob.user).toMatchObject({ name: "bob", scopes: ["jobs"] });
    const claims = jwt.decode(bob.token) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: bob.user.id, scope: "jobs" });
    expect(claims.exp! - claims.iat!).toBe(12 * 3600);
    expect(JSON.stringify(bob)).not.toContain(passwordOf("bob"));
    expect(JSON.stringify(bob)).not.toContain("scrypt");
  });

  test("users registering at once on a new platform: exactly one becomes the admin", async () => {
    const fresh = await startTestPlatform();
    try {
      const users = await Promise.all(["u1", "u2", "u3", "u4"].map((name) => registerUser(fresh, name)));
      expect(users.filter((u) => u.user.scopes.includes("admin"))).toHaveLength(1);
    } finally {
      await fresh.cleanup();
    }
  });

  test("login answers the user and a working token; me answers who the token is for", async () => {
    const res = await api(p, "POST", "api/v1/auth/login", { json: { name: "bob", password: passwordOf("bob") } });
    expect(res.status).toBe(200);
    const login = await body<{ token: string; user: unknown }>(res);
    expect(login.user).toEqual(bob.user);
    const me = await api(p, "GET", "api/v1/auth/me", { token: login.token });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual(bob.user);
  });

  test("a wrong password and an unknown name are the same 401", async () => {
    for (const credentials of [{ name: "bob", password: "wrong-password" }, { name: "nobody", password: passwordOf("bob") }]) {
      const res = await api(p, "POST", "api/v1/auth/login", { json: credentials });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: "invalid name or password" });
    }
  });

  test("a taken name is 409", async () => {
    const res = await api(p, "POST", "api/v1/auth/register", { json: { name: "bob", password: "another-password" } });
    expect(res.status).toBe(409);
    expect(((await body(res)).error as string)).toMatch(/"bob" is taken/);
  });

  test("bad bodies are 400 naming the field", async () => {
    const cases: [string, unknown, RegExp][] = [
      ["register", { name: "bad name!", password: "long-enough" }, /"name" must be 1 to 64 letters/],
      ["register", { name: "x".repeat(65), password: "long-enough" }, /"name"/],
      ["register", { name: "carol", password: "short" }, /"password" must be at least 8 characters/],
      ["register", { password: "long-enough" }, /"name" must be a string \(got nothing\)/],
      ["register", ["carol"], /must be a JSON object/],
      ["login", { name: "bob", password: 12345678 }, /"password" must be a string \(got number\)/],
    ];
    for (const [call, json, message] of cases) {
      const res = await api(p, "POST", `api/v1/auth/${call}`, { json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect((await body(res)).error).toMatch(message);
    }
    const notJson = await api(p, "POST", "api/v1/auth/register", { body: "{name" });
    expect(notJson.status).toBe(400);
    expect((await body(notJson)).error).toMatch(/not valid JSON/);
  });

  test("the job API needs a user's token: none is 401, a runner's is 403", async () => {
    expect((await api(p, "GET", "api/v1/auth/me")).status).toBe(401);
    expect((await api(p, "GET", "api/v1/jobs", { token: "not-a-jwt" })).status).toBe(401);
    const runner = mintToken(p.deps.settings.jwtSecret, { sub: "job:x", scope: ["runner"], expiresIn: 60 });
    expect((await api(p, "GET", "api/v1/jobs", { token: runner })).status).toBe(403);
  });
});

describe("jobs", () => {
  test("a heat1d job runs to the end: progress 100, its files listed, its results", async () => {
    const res = await api(p, "POST", "api/v1/jobs", { token: bob.token, json: { solver: "heat1d", parameters: { slow: 0, t_end: 30 } } });
    expect(res.status).toBe(201);
    const submitted = await body<{ sweepId: null; jobs: Job[] }>(res);
    expect(submitted.sweepId).toBeNull();
    expect(submitted.jobs).toHaveLength(1);
    expect(submitted.jobs[0]).toMatchObject({ owner: bob.user.id, solver: "heat1d", parameters: { slow: 0, t_end: 30 }, status: "queued" });
    const id = submitted.jobs[0]!.id;

    let job: Job & { files: { path: string; size: number }[]; results: { name: string }[] };
    for (let i = 0; ; i++) {
      job = await body(await api(p, "GET", `api/v1/jobs/${id}`, { token: bob.token }));
      if (["finished", "error", "cancelled"].includes(job.status)) break;
      if (i > 600) throw new Error(`job still ${job.status} after 60 s`);
      await delay(100);
    }
    expect(job).toMatchObject({ id, status: "finished", progress: 100, exitCode: 0, error: null });
    expect(job.runId).toEqual(expect.any(String));
    expect(Date.parse(job.endedAt!)).toBeGreaterThanOrEqual(Date.parse(job.startedAt!));
    expect(job.files.map((f) => f.path)).toEqual(expect.arrayContaining(["logs/main.log", "results.csv"]));
    for (const file of job.files) expect(file.size).toBeGreaterThan(0);
    expect(job.results.map((r) => r.name)).toEqual(expect.arrayContaining(["max_temperature", "steps"]));
  });

  test("bad submissions are 400 naming the field", async () => {
    const cases: [unknown, RegExp][] = [
      [{ solver: "no-such-solver" }, /"solver"/],
      [{ parameters: {} }, /"solver"/],
      [{ solver: "heat1d", parameters: [1] }, /"parameters"/],
      [{ solver: "heat1d", config: "fast" }, /"config"/],
      ["heat1d", /must be a JSON object/],
    ];
    for (const [json, message] of cases) {
      const res = await api(p, "POST", "api/v1/jobs", { token: bob.token, json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect((await body(res)).error).toMatch(message);
    }
  });

  describe("listing and visibility", () => {
    let carol: typeof admin;
    let carolsJobs: Job[];
    let dave: typeof admin;
    let davesJob: Job;

    beforeAll(async () => {
      carol = await registerUser(p, "carol");
      dave = await registerUser(p, "dave");
      carolsJobs = [
        seedJob(carol.user.id, { status: "finished" }),
        seedJob(carol.user.id, { status: "error", exitCode: 1, error: "solver failed" }),
        seedJob(carol.user.id, { status: "finished", sweepId: "sweep-c" }),
        seedJob(carol.user.id, { status: "finished", sweepId: "sweep-c" }),
        seedJob(carol.user.id, { status: "cancelled", startedAt: null }),
      ];
      davesJob = seedJob(dave.user.id);
    });

    test("newest first, a page at a time, with the total", async () => {
      const newestFirst = [...carolsJobs].reverse().map((j) => j.id);
      const page = async (query: string) => body<{ jobs: Job[]; total: number; limit: number; offset: number }>(await api(p, "GET", `api/v1/jobs${query}`, { token: carol.token }));
      const all = await page("");
      expect(all).toMatchObject({ total: 5, limit: 20, offset: 0 });
      expect(all.jobs.map((j) => j.id)).toEqual(newestFirst);
      expect(all.jobs[0]).toEqual(carolsJobs[4]);
      const second = await page("?limit=2&offset=2");
      expect(second).toMatchObject({ total: 5, limit: 2, offset: 2 });
      expect(second.jobs.map((j) => j.id)).toEqual(newestFirst.slice(2, 4));
      expect((await page("?limit=2&offset=4")).jobs.map((j) => j.id)).toEqual(newestFirst.slice(4));
    });

    test("filters: status and sweep", async () => {
      const list = async (query: string) => body<{ jobs: Job[]; total: number }>(await api(p, "GET", `api/v1/jobs${query}`, { token: carol.token }));
      expect((await list("?status=error")).jobs.map((j) => j.id)).toEqual([carolsJobs[1]!.id]);
      expect((await list("?sweep=sweep-c")).jobs.map((j) => j.id)).toEqual([carolsJobs[3]!.id, carolsJobs[2]!.id]);
      expect(await list("?sweep=sweep-c&status=error")).toMatchObject({ jobs: [], total: 0 });
    });

    test("bad query parameters are 400 naming them", async () => {
      for (const [query, name] of [["?limit=0", "limit"], ["?limit=201", "limit"], ["?limit=ten", "limit"], ["?offset=-1", "offset"], ["?status=done", "status"]]) {
        const res = await api(p, "GET", `api/v1/jobs${query}`, { token: carol.token });
        expect(res.status, query).toBe(400);
        expect((await body(res)).error).toContain(`"${name}"`);
      }
    });

    test("another user's job is 404, for GET and DELETE, like one that does not exist", async () => {
      for (const method of ["GET", "DELETE"]) {
        const res = await api(p, method, `api/v1/jobs/${davesJob.id}`, { token: carol.token });
        expect(res.status, method).toBe(404);
        const missing = await api(p, method, "api/v1/jobs/00000000-0000-4000-8000-999999999999", { token: carol.token });
        expect(missing.status).toBe(404);
        expect(Object.keys(await body(res))).toEqual(Object.keys(await body(missing)));
      }
      expect((await body<{ jobs: Job[] }>(await api(p, "GET", "api/v1/jobs", { token: carol.token }))).jobs.map((j) => j.owner)).not.toContain(dave.user.id);
      expect((await api(p, "GET", `api/v1/jobs/${davesJob.id}`, { token: dave.token })).status).toBe(200);
    });

    test("the owner's GET answers the job with no files or results before it has a run; DELETE of an ended job answers it as it is", async () => {
      const res = await api(p, "GET", `api/v1/jobs/${carolsJobs[1]!.id}`, { token: carol.token });
      expect(await res.json()).toEqual({ ...carolsJobs[1], files: [], results: [] });
      const deleted = await api(p, "DELETE", `api/v1/jobs/${carolsJobs[0]!.id}`, { token: carol.token });
      expect(deleted.status).toBe(200);
      expect(await deleted.json()).toEqual(carolsJobs[0]);
    });

    test("the admin sees every user's jobs and may open them", async () => {
      const list = await body<{ jobs: Job[]; total: number }>(await api(p, "GET", "api/v1/jobs?limit=200", { token: admin.token }));
      const owners = new Set(list.jobs.map((j) => j.owner));
      expect(owners).toContain(carol.user.id);
      expect(owners).toContain(dave.user.id);
      expect(list.total).toBeGreaterThanOrEqual(6);
      expect((await api(p, "GET", `api/v1/jobs/${davesJob.id}`, { token: admin.token })).status).toBe(200);
    });

    test("stats: the caller's jobs (an admin's: all), not a job named \"stats\"", async () => {
      const res = await api(p, "GET", "api/v1/jobs/stats", { token: carol.token });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ total: 5, counts: { queued: 0, running: 0, finished: 3, error: 1, cancelled: 1 }, meanDurationMs: 250 });
      const all = await body<{ total: number; counts: Record<string, number> }>(await api(p, "GET", "api/v1/jobs/stats", { token: admin.token }));
      expect(all.total).toBe((await body<{ total: number }>(await api(p, "GET", "api/v1/jobs", { token: admin.token }))).total);
      expect(all.total).toBeGreaterThanOrEqual(6);
    });
  });
});

describe("platform info", () => {
  test("solvers: each registered type with its description", async () => {
    const res = await api(p, "GET", "api/v1/solvers", { token: bob.token });
    expect(res.status).toBe(200);
    const solvers = await body<{ name: string; description: string }[]>(res);
    expect(solvers.map((s) => s.name)).toEqual(expect.arrayContaining(["heat1d", "sleeper"]));
    expect(solvers.find((s) => s.name === "heat1d")?.description).toMatch(/^heat1d — /);
  });

  test("health needs no token: database, data folder, NATS not used", async () => {
    const res = await api(p, "GET", "api/v1/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, database: "ok", dataDir: "ok", nats: "not used" });
  });

  test("health is 503 naming the database when it is closed", async () => {
    const other = await startTestPlatform();
    try {
      other.deps.db.close();
      const res = await api(other, "GET", "api/v1/health");
      expect(res.status).toBe(503);
      const health = await body(res);
      expect(health).toMatchObject({ ok: false, dataDir: "ok", nats: "not used" });
      expect(health.database).not.toBe("ok");
      expect(health.error).toMatch(/^database: /);
    } finally {
      await other.cleanup();
    }
  });

  // The job service of a platform started with natsUrl connects at once: the NATS part is checked on its own.
  test("health's NATS part: a server that is not there is named with the failure", async () => {
    const health = await checkHealth({ db: p.deps.db, settings: { ...p.deps.settings, natsUrl: "nats://127.0.0.1:1" } }, { natsTimeoutMs: 500 });
    expect(health).toMatchObject({ ok: false, database: "ok", dataDir: "ok" });
    expect(health.error).toMatch(/^nats: NATS at nats:\/\/127\.0\.0\.1:1/);
  });

  test.skipIf(natsTestGate().skip)("health's NATS part: a real nats-server is ok", async () => {
    const nats = await startNatsServer();
    try {
      expect(await checkHealth({ db: p.deps.db, settings: { ...p.deps.settings, natsUrl: nats.url } })).toEqual({ ok: true, database: "ok", dataDir: "ok", nats: "ok" });
    } finally {
      await nats.stop();
    }
  });
});
