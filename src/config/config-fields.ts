import { ConfigError } from "../errors.js";
import { timerDuration } from "./duration.js";
import { nearestName } from "./nearest-name.js";

/** config.json as the runner understands it, after validation. */
export interface ConfigFile {
  workDir?: string;
  host?: string;
  token?: string;
  project?: string;
  simulation?: string;
  job?: string;
  owner?: string;
  scriptsArchive?: string;
  inputsArchive?: string;
  mainScript?: string;
  /** The interpreter (and its arguments) to run mainScript with, e.g. "python3 -u" or ["mpirun", "-n", "4", "python3"]. */
  command?: string[];
  /** Set to true while the run goes on to abort it. */
  abort?: boolean;
  /** Written back by the runner after it created the run node on the platform. */
  resource?: { id: string; name?: string };
  /** Time limit of the solver, in ms. */
  timeout?: number;
  /** Grace between SIGTERM and SIGKILL, in ms. */
  grace?: number;
  maxUnpackBytes?: number;
  /** Pass the platform token to the solver as PHYSICSWORKS_TOKEN (off by default: the token is a secret). */
  passToken?: boolean;
  /** Extra environment variables for the solver. */
  env?: Record<string, string>;
  /** Extra arguments appended to the solver's command line, e.g. a sweep point's ["--alpha=0.1"]. */
  solverArgs?: string[];
  /** A NATS server to publish the run's events to (run:started, run:progress, run:finished / run:failed). */
  nats?: string;
}

/** "id": a string, or a number taken as its digits (platform ids may be numbers); "string": a string only. */
type FieldKind = "string" | "id" | "boolean" | "duration" | "bytes" | "command" | "args" | "env" | "resource";

const FIELDS: Record<keyof ConfigFile, FieldKind> = {
  workDir: "string",
  host: "string",
  token: "string",
  project: "id",
  simulation: "id",
  job: "id",
  owner: "id",
  scriptsArchive: "string",
  inputsArchive: "string",
  mainScript: "string",
  command: "command",
  abort: "boolean",
  resource: "resource",
  timeout: "duration",
  grace: "duration",
  maxUnpackBytes: "bytes",
  passToken: "boolean",
  env: "env",
  nats: "string",
  solverArgs: "args",
};

export const CONFIG_FIELD_NAMES = Object.keys(FIELDS) as (keyof ConfigFile)[];

export interface ConfigCheck {
  config: ConfigFile;
  warnings: string[];
  /** The unknown fields the warnings are about, each with the known name nearest to it. */
  unknown: { name: string; near?: string }[];
}

/** Checks every field of a raw config object; unknown fields are warnings, wrong types are errors. */
export function checkConfigFields(raw: Record<string, unknown>, file: string): ConfigCheck {
  const config: Record<string, unknown> = {};
  const warnings: string[] = [];
  const unknown: ConfigCheck["unknown"] = [];
  for (const [name, value] of Object.entries(raw)) {
    const kind = FIELDS[name as keyof ConfigFile];
    if (!kind) {
      const near = nearestName(name, CONFIG_FIELD_NAMES);
      unknown.push(near ? { name, near } : { name });
      warnings.push(
        `${file}: unknown field "${name}" is ignored` + (near ? `; did you mean "${near}"?` : ` (known fields: ${CONFIG_FIELD_NAMES.join(", ")})`),
      );
      continue;
    }
    if (value === null || value === undefined) continue;
    config[name] = checkField(name, kind, value, file);
  }
  return { config: config as ConfigFile, warnings, unknown };
}

function checkField(name: string, kind: FieldKind, value: unknown, file: string): unknown {
  const where = `${file}: "${name}"`;
  // The token's value is a secret: errors about it never quote it.
  const shown = name === "token" ? "a " + typeof value : JSON.stringify(value);
  switch (kind) {
    case "id":
      if (typeof value === "number" && Number.isFinite(value)) return String(value);
      if (typeof value !== "string") throw new ConfigError(`${where} must be a string or a number (got ${shown})`);
      return value;
    case "string":
      if (typeof value !== "string") throw new ConfigError(`${where} must be a string (got ${shown})`);
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw new ConfigError(`${where} must be true or false (got ${shown})`);
      return value;
    case "duration":
      return timerDuration(value, where);
    case "bytes":
      if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
        throw new ConfigError(`${where} must be a number of bytes > 0 (got ${shown})`);
      }
      return value;
    case "command":
      if (typeof value === "string" && value.trim()) return value.trim().split(/\s+/);
      if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" && v)) return value;
      throw new ConfigError(`${where} must be a command such as "python3 -u" or ["mpirun", "-n", "4", "python3"] (got ${shown})`);
    case "args":
      if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number")) return value.map(String);
      throw new ConfigError(`${where} must be a list of arguments such as ["--alpha=0.1", "--nx=51"] (got ${shown})`);
    case "env": {
      if (typeof value !== "object" || Array.isArray(value)) {
        throw new ConfigError(`${where} must be an object of variables such as {"OMP_NUM_THREADS": "4"} (got ${shown})`);
      }
      const env: Record<string, string> = {};
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
          throw new ConfigError(`${where}.${key} must be a string (got ${JSON.stringify(v)})`);
        }
        env[key] = String(v);
      }
      return env;
    }
    case "resource": {
      const r = value as { id?: unknown; name?: unknown };
      if (typeof value !== "object" || Array.isArray(value) || typeof r.id !== "string") {
        throw new ConfigError(`${where} must be {"id": "...", "name": "..."} as the runner writes it (got ${shown})`);
      }
      return typeof r.name === "string" ? { id: r.id, name: r.name } : { id: r.id };
    }
  }
}
