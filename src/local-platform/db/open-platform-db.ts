import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { ConfigError } from "../../errors.js";
import { ENDED_STATUSES, JOB_STATUSES, type Job, type JobPatch, type JobQuery, type JobStats, type JobStatus, type PlatformDb } from "../platform-types.js";
import { RowReader, type Row } from "./rows.js";
import { migrate } from "./schema.js";

/** The columns a JobPatch may set. */
const PATCH_COLUMNS: Record<keyof JobPatch, string> = {
  status: "status",
  progress: "progress",
  statusLabel: "status_label",
  runId: "run_id",
  error: "error",
  exitCode: "exit_code",
  startedAt: "started_at",
  endedAt: "ended_at",
};

/** The platform's database: SQLite in WAL mode (readers do not wait for the writer), migrated on open. */
export function openPlatformDb(file: string): PlatformDb {
  mkdirSync(path.dirname(file), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    migrate(db, file);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${file}: cannot open the platform database (${(error as Error).message}); check the --data folder`, { cause: error });
  }
  const rows = new RowReader(file);
  const all = <T>(sql: string, read: (row: Row) => T) => {
    const statement = db.prepare(sql);
    return (...params: unknown[]): T[] => (statement.all(...params) as Row[]).map(read);
  };
  const one = <T>(sql: string, read: (row: Row) => T) => {
    const statement = db.prepare(sql);
    return (...params: unknown[]): T | undefined => {
      const row = statement.get(...params) as Row | undefined;
      return row === undefined ? undefined : read(row);
    };
  };
  const readJob = (row: Row) => rows.job(row);
  const getJob = one("SELECT * FROM jobs WHERE id = ?", readJob);
  const insertJob = db.prepare(
    `INSERT INTO jobs (id, owner, solver, sweep_id, parameters, config, status, progress, status_label, run_id, error, exit_code, created_at, started_at, ended_at)
     VALUES (@id, @owner, @solver, @sweepId, @parameters, @config, @status, @progress, @statusLabel, @runId, @error, @exitCode, @createdAt, @startedAt, @endedAt)`,
  );
  const insertUser = db.prepare("INSERT INTO users (id, name, password_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)");
  const insertReport = db.prepare("INSERT INTO reports (id, owner, job_id, sweep_id, file, created_at) VALUES (?, ?, ?, ?, ?, ?)");
  let closed = false;

  return {
    insertJob(job) {
      insertJob.run({ ...job, parameters: JSON.stringify(job.parameters), config: JSON.stringify(job.config) });
    },
    getJob,
    updateJob(id, patch) {
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const [key, value] of Object.entries(patch)) {
        const column = PATCH_COLUMNS[key as keyof JobPatch];
        if (column === undefined || value === undefined) continue;
        sets.push(`${column} = ?`);
        values.push(value);
      }
      if (sets.length > 0) db.prepare(`UPDATE jobs SET ${sets.join(", ")} WHERE id = ?`).run(...values, id);
      return getJob(id);
    },
    listJobs(query) {
      const { where, params } = jobFilter(query);
      // rowid breaks ties: the jobs of one sweep share a createdAt.
      const jobs = (db.prepare(`SELECT * FROM jobs ${where} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`).all(...params, query.limit, query.offset) as Row[]).map(readJob);
      const total = (db.prepare(`SELECT COUNT(*) AS n FROM jobs ${where}`).get(...params) as { n: number }).n;
      return { jobs, total };
    },
    jobByRunId: one("SELECT * FROM jobs WHERE run_id = ? ORDER BY rowid DESC LIMIT 1", readJob),
    jobsWithStatus(statuses) {
      if (statuses.length === 0) return [];
      return (db.prepare(`SELECT * FROM jobs WHERE status IN (${statuses.map(() => "?").join(", ")}) ORDER BY created_at, rowid`).all(...statuses) as Row[]).map(readJob);
    },
    stats(owner) {
      return jobStats(db, owner);
    },
    insertUser(user) {
      insertUser.run(user.id, user.name, user.passwordHash, user.scopes.join(" "), user.createdAt);
    },
    userByName: one("SELECT * FROM users WHERE name = ?", (row) => rows.user(row)),
    userById: one("SELECT * FROM users WHERE id = ?", (row) => rows.user(row)),
    countUsers() {
      return (db.prepare("SELECT COUNT(*) AS n FROM users").get() as { n: number }).n;
    },
    insertReport(report) {
      insertReport.run(report.id, report.owner, report.jobId, report.sweepId, report.file, report.createdAt);
    },
    getReport: one("SELECT * FROM reports WHERE id = ?", (row) => rows.report(row)),
    ping() {
      db.prepare("SELECT 1").get();
    },
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

function jobFilter(query: Pick<JobQuery, "owner" | "status" | "sweepId">): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (query.owner !== undefined) {
    clauses.push("owner = ?");
    params.push(query.owner);
  }
  if (query.status !== undefined) {
    clauses.push("status = ?");
    params.push(query.status);
  }
  if (query.sweepId !== undefined) {
    clauses.push("sweep_id = ?");
    params.push(query.sweepId);
  }
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

function jobStats(db: Database.Database, owner: string | undefined): JobStats {
  const { where, params } = jobFilter({ owner });
  const counts = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
  let total = 0;
  for (const row of db.prepare(`SELECT status, COUNT(*) AS n FROM jobs ${where} GROUP BY status`).all(...params) as { status: string; n: number }[]) {
    if ((JOB_STATUSES as readonly string[]).includes(row.status)) counts[row.status as JobStatus] = row.n;
    total += row.n;
  }
  const ended = ENDED_STATUSES.map(() => "?").join(", ");
  const durationWhere = `${where ? `${where} AND` : "WHERE"} status IN (${ended}) AND started_at IS NOT NULL AND ended_at IS NOT NULL`;
  // julianday() reads the ISO times with their milliseconds; one day is 86 400 000 ms.
  const mean = db
    .prepare(`SELECT AVG((julianday(ended_at) - julianday(started_at)) * 86400000.0) AS ms FROM jobs ${durationWhere}`)
    .get(...params, ...ENDED_STATUSES) as { ms: number | null };
  return { total, counts, meanDurationMs: mean.ms === null ? null : Math.round(mean.ms) };
}
