import type Database from "better-sqlite3";
import { ConfigError } from "../../errors.js";

/**
 * The schema, one step per version: `PRAGMA user_version` says how many steps a database has had.
 * A step is never edited once released; a change is a new step.
 */
const STEPS: readonly string[] = [
  `CREATE TABLE users (
     id            TEXT PRIMARY KEY,
     name          TEXT NOT NULL UNIQUE,
     password_hash TEXT NOT NULL,
     scopes        TEXT NOT NULL,
     created_at    TEXT NOT NULL
   );
   CREATE TABLE jobs (
     id           TEXT PRIMARY KEY,
     owner        TEXT NOT NULL,
     solver       TEXT NOT NULL,
     sweep_id     TEXT,
     parameters   TEXT NOT NULL,
     config       TEXT NOT NULL,
     status       TEXT NOT NULL,
     progress     REAL NOT NULL DEFAULT 0,
     status_label TEXT,
     run_id       TEXT,
     error        TEXT,
     exit_code    INTEGER,
     created_at   TEXT NOT NULL,
     started_at   TEXT,
     ended_at     TEXT
   );
   CREATE INDEX jobs_owner ON jobs (owner);
   CREATE INDEX jobs_status ON jobs (status);
   CREATE INDEX jobs_sweep_id ON jobs (sweep_id);
   CREATE INDEX jobs_run_id ON jobs (run_id);
   CREATE INDEX jobs_created_at ON jobs (created_at);
   CREATE TABLE reports (
     id         TEXT PRIMARY KEY,
     owner      TEXT NOT NULL,
     job_id     TEXT,
     sweep_id   TEXT,
     file       TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE INDEX reports_owner ON reports (owner);`,
];

export const SCHEMA_VERSION = STEPS.length;

/** Brings the database to SCHEMA_VERSION, each step in a transaction of its own. */
export function migrate(db: Database.Database, file: string): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new ConfigError(
      `${file}: the database has schema version ${current}, this physicsworks-solve knows up to ${SCHEMA_VERSION}; run a newer physicsworks-solve, or give another --data folder`,
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(STEPS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
