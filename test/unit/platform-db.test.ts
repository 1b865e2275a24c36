import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { openPlatformDb } from "../../src/local-platform/db/open-platform-db.js";
import { SCHEMA_VERSION } from "../../src/local-platform/db/schema.js";
import type { Job, PlatformDb } from "../../src/local-platform/platform-types.js";

let dir: string;
let file: string;
let db: PlatformDb;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "pw-db-"));
  file = path.join(dir, "platform.db");
  db = openPlatformDb(file);
});
afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

let seq = 0;
function job(fields: Partial<Job> = {}): Job {
  seq += 1;
  return {
    id: `job-${seq}`,
    owner: "u1",
    solver: "heat1d",
    sweepId: null,
    parameters: { alpha: 0.0001, initial: "uniform", fine: true },
    config: { timeout: "10m", env: { A: "1" } },
    status: "queued",
    progress: 0,
    statusLabel: null,
    runId: null,
    error: null,
    exitCode: null,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    startedAt: null,
    endedAt: null,
    ...fields,
  };
}

describe("jobs", () => {
  test("a job comes back as it went in, JSON columns and nulls included", () => {
    const j = job({ sweepId: "s1", statusLabel: "waiting" });
    db.insertJob(j);
    expect(db.getJob(j.id)).toEqual(j);
    expect(db.getJob("nope")).toBeUndefined();
  });

  test("updateJob sets only the given fields and answers the job as it now is", () => {
    const j = job();
    db.insertJob(j);
    const updated = db.updateJob(j.id, { status: "running", progress: 42.5, statusLabel: "step 3", runId: "r1", startedAt: "2026-01-01T00:01:00.000Z" });
    expect(updated).toEqual({ ...j, status: "running", progress: 42.5, statusLabel: "step 3", runId: "r1", startedAt: "2026-01-01T00:01:00.000Z" });
    expect(db.updateJob(j.id, { statusLabel: null, exitCode: 0 })).toMatchObject({ statusLabel: null, exitCode: 0, progress: 42.5 });
    expect(db.updateJob("nope", { status: "error" })).toBeUndefined();
    expect(db.jobByRunId("r1")?.id).toBe(j.id);
    expect(db.jobByRunId("r2")).toBeUndefined();
  });

  test("listJobs: newest first, with the total, a page at a time, filtered by owner, status and sweep", () => {
    const jobs = [
      job({ owner: "a" }),
      job({ owner: "b", status: "running" }),
      job({ owner: "a", sweepId: "s1", status: "finished" }),
      job({ owner: "a", sweepId: "s1", status: "error" }),
      job({ owner: "b", sweepId: "s2" }),
    ];
    for (const j of jobs) db.insertJob(j);
    const ids = (list: { jobs: Job[] }) => list.jobs.map((j) => j.id);
    const newestFirst = [...jobs].reverse().map((j) => j.id);

    expect(db.listJobs({ limit: 20, offset: 0 })).toEqual({ jobs: [...jobs].reverse(), total: 5 });
    expect(ids(db.listJobs({ limit: 2, offset: 0 }))).toEqual(newestFirst.slice(0, 2));
    expect(db.listJobs({ limit: 2, offset: 2 })).toMatchObject({ total: 5 });
    expect(ids(db.listJobs({ limit: 2, offset: 2 }))).toEqual(newestFirst.slice(2, 4));
    expect(ids(db.listJobs({ limit: 2, offset: 4 }))).toEqual(newestFirst.slice(4));
    expect(db.listJobs({ limit: 2, offset: 10 })).toEqual({ jobs: [], total: 5 });

    expect(db.listJobs({ owner: "a", limit: 20, offset: 0 }).total).toBe(3);
    expect(ids(db.listJobs({ owner: "a", sweepId: "s1", limit: 20, offset: 0 }))).toEqual([jobs[3]!.id, jobs[2]!.id]);
    expect(ids(db.listJobs({ status: "running", limit: 20, offset: 0 }))).toEqual([jobs[1]!.id]);
    expect(db.listJobs({ owner: "b", status: "finished", limit: 20, offset: 0 })).toEqual({ jobs: [], total: 0 });
  });

  test("jobs created in the same millisecond (a sweep) keep their insertion order, newest first", () => {
    const createdAt = "2026-02-01T00:00:00.000Z";
    const sweep = [job({ createdAt, sweepId: "s" }), job({ createdAt, sweepId: "s" }), job({ createdAt, sweepId: "s" })];
    for (const j of sweep) db.insertJob(j);
    expect(db.listJobs({ sweepId: "s", limit: 20, offset: 0 }).jobs.map((j) => j.id)).toEqual(sweep.map((j) => j.id).reverse());
  });

  test("jobsWithStatus: oldest first, of any of the statuses", () => {
    const a = job({ status: "running" });
    const b = job({ status: "queued" });
    const c = job({ status: "finished" });
    for (const j of [a, b, c]) db.insertJob(j);
    expect(db.jobsWithStatus(["queued", "running"]).map((j) => j.id)).toEqual([a.id, b.id]);
    expect(db.jobsWithStatus([])).toEqual([]);
  });

  test("stats: counts per status and the mean duration of ended jobs that started, for one owner or all", () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 2, 0, 0, 0, s)).toISOString();
    db.insertJob(job({ owner: "a", status: "finished", startedAt: at(0), endedAt: at(1500) }));
    db.insertJob(job({ owner: "a", status: "error", startedAt: at(0), endedAt: at(500) }));
    db.insertJob(job({ owner: "a", status: "cancelled", endedAt: at(10) })); // never started: not in the mean
    db.insertJob(job({ owner: "a", status: "running", startedAt: at(0) }));
    db.insertJob(job({ owner: "b", status: "finished", startedAt: at(0), endedAt: at(10_000) }));
    db.insertJob(job({ owner: "b", status: "queued" }));

    expect(db.stats("a")).toEqual({ total: 4, counts: { queued: 0, running: 1, finished: 1, error: 1, cancelled: 1 }, meanDurationMs: 1000 });
    expect(db.stats()).toEqual({ total: 6, counts: { queued: 1, running: 1, finished: 2, error: 1, cancelled: 1 }, meanDurationMs: 4000 });
    expect(db.stats("nobody")).toEqual({ total: 0, counts: { queued: 0, running: 0, finished: 0, error: 0, cancelled: 0 }, meanDurationMs: null });
  });
});

describe("users and reports", () => {
  test("users by name and id, counted; a taken name is refused by the database", () => {
    expect(db.countUsers()).toBe(0);
    const user = { id: "u1", name: "ada", passwordHash: "scrypt$16384$8$1$c2FsdA==$aGFzaA==", scopes: ["jobs", "admin"], createdAt: "2026-01-01T00:00:00.000Z" };
    db.insertUser(user);
    expect(db.userByName("ada")).toEqual(user);
    expect(db.userById("u1")).toEqual(user);
    expect(db.userByName("bob")).toBeUndefined();
    expect(db.countUsers()).toBe(1);
    expect(() => db.insertUser({ ...user, id: "u2" })).toThrow(/UNIQUE/);
  });

  test("reports", () => {
    const report = { id: "r1", owner: "u1", jobId: "j1", sweepId: null, file: "/data/reports/r1.html", createdAt: "2026-01-01T00:00:00.000Z" };
    db.insertReport(report);
    expect(db.getReport("r1")).toEqual(report);
    expect(db.getReport("r2")).toBeUndefined();
  });
});

describe("the file", () => {
  test("reopened, it keeps its data; WAL mode, schema version set", () => {
    const j = job();
    db.insertJob(j);
    db.insertUser({ id: "u1", name: "ada", passwordHash: "x", scopes: ["jobs"], createdAt: "2026-01-01T00:00:00.000Z" });
    db.close();
    db = openPlatformDb(file);
    expect(db.getJob(j.id)).toEqual(j);
    expect(db.userByName("ada")?.id).toBe("u1");
    db.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(raw.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect((raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'jobs_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name)).toEqual(
      ["jobs_created_at", "jobs_owner", "jobs_run_id", "jobs_status", "jobs_sweep_id"],
    );
    raw.close();
    db = openPlatformDb(file);
  });

  test("a database from a newer version is refused, naming the file", () => {
    db.close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openPlatformDb(file)).toThrow(`${file}: the database has schema version ${SCHEMA_VERSION + 1}`);
    db = openPlatformDb(path.join(dir, "other.db"));
  });

  test("a row that does not fit the type is an error naming the file, the job and the column", () => {
    const j = job();
    db.insertJob(j);
    db.close();
    const raw = new Database(file);
    raw.prepare("UPDATE jobs SET status = 'lost' WHERE id = ?").run(j.id);
    raw.close();
    db = openPlatformDb(file);
    expect(() => db.getJob(j.id)).toThrow(`${file}: job ${j.id} has a bad "status" ("lost")`);
  });

  test("ping works while open and fails once closed; close twice is harmless", () => {
    expect(() => db.ping()).not.toThrow();
    db.close();
    expect(() => db.ping()).toThrow();
    db.close();
  });
});
