import { ConfigError } from "../../errors.js";
import type { ParamValue } from "../../sweep/spec-types.js";
import { JOB_STATUSES, type Job, type JobStatus, type Report, type User } from "../platform-types.js";

/** A row as SQLite hands it back. */
export type Row = Record<string, unknown>;

/**
 * Rows validated into the record types: the database is a file anyone with access can edit, so a
 * row that does not fit is an error naming the file and the row, not a record with holes.
 */
export class RowReader {
  constructor(private readonly file: string) {}

  job(row: Row): Job {
    const where = `job ${String(row.id)}`;
    const field = this.fields(row, where);
    const status = field.string("status") as JobStatus;
    if (!JOB_STATUSES.includes(status)) throw this.bad(where, "status", row.status);
    return {
      id: field.string("id"),
      owner: field.string("owner"),
      solver: field.string("solver"),
      sweepId: field.nullableString("sweep_id"),
      parameters: field.json("parameters") as Record<string, ParamValue>,
      config: field.json("config"),
      status,
      progress: field.number("progress"),
      statusLabel: field.nullableString("status_label"),
      runId: field.nullableString("run_id"),
      error: field.nullableString("error"),
      exitCode: field.nullableNumber("exit_code"),
      createdAt: field.string("created_at"),
      startedAt: field.nullableString("started_at"),
      endedAt: field.nullableString("ended_at"),
    };
  }

  user(row: Row): User {
    const field = this.fields(row, `user ${String(row.id)}`);
    return {
      id: field.string("id"),
      name: field.string("name"),
      passwordHash: field.string("password_hash"),
      scopes: field.string("scopes").split(" ").filter(Boolean),
      createdAt: field.string("created_at"),
    };
  }

  report(row: Row): Report {
    const field = this.fields(row, `report ${String(row.id)}`);
    return {
      id: field.string("id"),
      owner: field.string("owner"),
      jobId: field.nullableString("job_id"),
      sweepId: field.nullableString("sweep_id"),
      file: field.string("file"),
      createdAt: field.string("created_at"),
    };
  }

  private fields(row: Row, where: string) {
    const take = <T>(key: string, ok: (value: unknown) => value is T): T => {
      const value = row[key];
      if (!ok(value)) throw this.bad(where, key, value);
      return value;
    };
    const isString = (v: unknown): v is string => typeof v === "string";
    const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
    return {
      string: (key: string) => take(key, isString),
      nullableString: (key: string) => take(key, (v): v is string | null => v === null || isString(v)),
      number: (key: string) => take(key, isNumber),
      nullableNumber: (key: string) => take(key, (v): v is number | null => v === null || isNumber(v)),
      json: (key: string): Record<string, unknown> => {
        const text = take(key, isString);
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          throw this.bad(where, key, text);
        }
        if (typeof value !== "object" || value === null || Array.isArray(value)) throw this.bad(where, key, text);
        return value as Record<string, unknown>;
      },
    };
  }

  private bad(where: string, column: string, value: unknown): ConfigError {
    const shown = JSON.stringify(value) ?? "nothing";
    return new ConfigError(
      `${this.file}: ${where} has a bad "${column}" (${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown}); restore the database from a backup or remove the row`,
    );
  }
}
