import { stat } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { checkConfigFields, type ConfigFile } from "./config/config-fields.js";
import { timerDuration } from "./config/duration.js";
import { hostPasswords, normalizeHost } from "./config/host-url.js";
import { readSecretFile } from "./config/read-secret-file.js";
import { readConfigFile } from "./config/read-config-file.js";
import { wholeNumber } from "./config/whole-number.js";
import { ConfigError, UsageError } from "./errors.js";
import type { RunEvent } from "./run-events.js";
import { parseStageList, parseStageName, STAGE_NAMES, type StageName } from "./stages/stage-names.js";

/** What a caller gives runSolver() (and what the CLI builds from its flags). */
export interface RunSolverOptions {
  /** config.json or config.yaml; relative paths inside it are resolved against its folder. */
  configPath?: string;
  /** Config fields given directly (programmatic use); they override the file's. */
  config?: Record<string, unknown>;
  /** Overrides the config's workDir. */
  workDir?: string;
  startingStage?: string;
  skipStages?: string | string[];
  debugMode?: boolean;
  /** Time limit for the solver: "2h", "30m", or seconds. */
  timeout?: string | number;
  /** Grace between SIGTERM and SIGKILL: "10s" or seconds. */
  grace?: string | number;
  /** A file holding the token, so it need not be in argv or config.json. */
  tokenFile?: string;
  /** The environment to read PHYSICSWORKS_* overrides from and to hand to the solver (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** How often the config file (for "abort") and state.txt are polled, in ms. */
  pollIntervalMs?: number;
  /** Poll outputs/ instead of inotify: for NFS and Lustre, where other nodes' writes are not seen. */
  watchPolling?: boolean;
  /** Send whole outputs during the run too, once settled (RunTuning.filesDuringRun); protocol.md sends them after the solver. */
  filesDuringRun?: boolean;
  /** With filesDuringRun: how long a whole output's size and mtime must hold still ("2s", or seconds). */
  settleTime?: string | number;
  /** After an abort, a signal or a solver failure, how long sending may still take ("30s", or seconds). */
  flushTime?: string | number;
  /** Uploads at once (1–64, default 4). */
  uploadConcurrency?: string | number;
  /** Run natively although the config names a host; `sync` sends the run later. */
  offline?: boolean;
  /** When the platform cannot be reached at the start, run offline instead of failing. */
  offlineFallback?: boolean;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
  /** Intervals, sizes and retry delays of the platform traffic; defaults suit production, tests shorten them. */
  tuning?: Partial<RunTuning>;
}

export interface RunTuning {
  /** Least time between two run status updates (protocol: at most one a second). */
  statusIntervalMs: number;
  /** Least time between two appends of one live file. */
  liveIntervalMs: number;
  /**
   * Whole outputs (files/** and loose files) go after the solver, as protocol.md's table says. With
   * this, they also go during the run, once they have settled (a file that changes after it was
   * sent is sent again, under the same stored name): earlier on the platform, for platforms that
   * take a file sent twice.
   */
  filesDuringRun: boolean;
  /** With filesDuringRun: a whole output is sent once its size and mtime have held still this long. */
  settleMs: number;
  /** Uploads at once. */
  uploadConcurrency: number;
  /** After an abort, a signal or a solver failure, how long the whole send phase may take (protocol: default 30 s). */
  flushMs: number;
  /** Bytes per v1 chunk and per append (protocol: 5 MiB). */
  chunkSize?: number;
  /** Retry of platform calls: tries and delays. */
  retry?: { tries?: number; baseDelayMs?: number; maxDelayMs?: number };
}

export const DEFAULT_TUNING: RunTuning = {
  statusIntervalMs: 1000,
  liveIntervalMs: 1000,
  filesDuringRun: false,
  settleMs: 2000,
  uploadConcurrency: 4,
  flushMs: 30_000,
};

export interface PlatformTarget {
  /** The run node config.json names (`resource.id`, written back by an earlier start): a restart resumes it. */
  resourceId?: string;
  host: string;
  token: string;
  project: string;
  simulation: string;
  job: string;
  owner: string;
}

/** Everything a run needs, validated: the stages trust it. */
export interface RunOptions {
  configPath?: string;
  workDir: string;
  platform?: PlatformTarget;
  scriptsArchive?: string;
  inputsArchive?: string;
  mainScript: string;
  command?: string[];
  /** Appended to the solver's arguments after --rawPath. */
  solverArgs: string[];
  startingStage?: StageName;
  skipStages: StageName[];
  debugMode: boolean;
  timeoutMs?: number;
  graceMs: number;
  maxUnpackBytes: number;
  passToken: boolean;
  solverEnv: Record<string, string>;
  baseEnv: NodeJS.ProcessEnv;
  pollIntervalMs: number;
  watchPolling: boolean;
  offline: boolean;
  offlineFallback: boolean;
  /** NATS server for the run's events (config "nats" or PHYSICSWORKS_NATS_URL). */
  natsUrl?: string;
  /** Every secret a log line must never show. */
  secrets: string[];
  tuning: RunTuning;
}

/**
 * How an error names an option the caller gave: as the CLI's flag (`--workDir`) or as a field of
 * runSolver's and syncRun's options (`options.workDir`), so that each reader sees what they typed.
 */
export type OptionNaming = "flags" | "fields";

/** `--name` for the CLI, `options.name` for a program. */
export function optionName(name: keyof RunSolverOptions, naming: OptionNaming): string {
  return naming === "flags" ? `--${name}` : `options.${name}`;
}

export interface ResolvedOptions {
  options: RunOptions;
  warnings: string[];
}

export const DEFAULT_GRACE_MS = 10_000;
export const DEFAULT_MAX_UNPACK_BYTES = 20 * 1024 ** 3;
const PLATFORM_FIELDS = ["project", "simulation", "job", "owner"] as const;

/** config file + flags + environment → validated RunOptions, or a ConfigError naming the field. */
export async function resolveRunOptions(
  input: RunSolverOptions,
  purpose: "run" | "sync" = "run",
  naming: OptionNaming = "fields",
): Promise<ResolvedOptions> {
  const env = input.env ?? process.env;
  const named = (name: keyof RunSolverOptions) => optionName(name, naming);
  const configPath = input.configPath ? resolve(input.configPath) : undefined;
  const file = configPath ?? "options.config";
  const warnings: string[] = [];

  let config: ConfigFile = {};
  if (configPath) {
    const checked = checkConfigFields(await readConfigFile(configPath, named("configPath")), configPath);
    config = checked.config;
    warnings.push(...checked.warnings);
    if (config.token) warnings.push(...(await tokenFileWarnings(configPath, named("tokenFile"))));
  }
  if (input.config) {
    const checked = checkConfigFields(input.config, "options.config");
    config = { ...config, ...checked.config };
    warnings.push(...checked.warnings);
  }
  const base = configPath ? dirname(configPath) : process.cwd();
  const fromConfig = (p: string) => (isAbsolute(p) ? p : resolve(base, p));

  const workDirValue = input.workDir ?? config.workDir;
  if (!workDirValue) {
    throw new ConfigError(
      configPath
        ? `${configPath}: "workDir" is missing; set it to the run's work directory (relative to the config file's folder, e.g. "workDir": ".") or pass ${named("workDir")}` +
            // The warning that names a misspelling of it ("workdir") is the fix, and the run stops before warnings are shown.
            warnings
              .filter((w) => w.endsWith('did you mean "workDir"?'))
              .map((w) => `\n  ${w}`)
              .join("")
        : naming === "flags"
          ? `no work directory: pass --configPath=config.json (with "workDir") or --workDir=DIR`
          : `no work directory: give options.configPath (a config file with "workDir"), options.workDir or options.config.workDir`,
    );
  }
  const workDir = input.workDir ? resolve(input.workDir) : fromConfig(workDirValue);
  await checkFolder(workDir, input.workDir ? named("workDir") : `${file}: "workDir"`);

  const host = env.PHYSICSWORKS_HOST || config.host;
  let token = env.PHYSICSWORKS_TOKEN || config.token;
  if (input.tokenFile) token = await readSecretFile(input.tokenFile, named("tokenFile"));

  let platform: PlatformTarget | undefined;
  if (host) {
    const where = env.PHYSICSWORKS_HOST ? "PHYSICSWORKS_HOST" : `${file}: "host"`;
    // The host first: a bad one is the first thing to fix, and the rest only matters with a good one.
    const hostUrl = normalizeHost(host, where);
    const hostSet = env.PHYSICSWORKS_HOST ? "PHYSICSWORKS_HOST is set" : '"host" is set';
    // An offline run never reaches the platform: its token is `sync`'s to have.
    if (!token && !input.offline) {
      const offline = purpose === "run" ? ` (or run with ${named("offline")} and give it to sync)` : "";
      throw new ConfigError(`${file}: "token" is missing but ${hostSet}; set "token", PHYSICSWORKS_TOKEN or ${named("tokenFile")}${offline}`);
    }
    const missing = PLATFORM_FIELDS.filter((f) => !config[f]);
    if (missing.length) {
      throw new ConfigError(
        `${file}: ${missing.map((f) => `"${f}"`).join(", ")} missing; a run on a platform (${hostSet}) needs project, simulation, job and owner`,
      );
    }
    platform = {
      ...(config.resource ? { resourceId: config.resource.id } : {}),
      host: hostUrl,
      token: token ?? "",
      project: config.project as string,
      simulation: config.simulation as string,
      job: config.job as string,
      owner: config.owner as string,
    };
  }

  const skipStages = input.skipStages === undefined ? [] : parseStageList(input.skipStages, named("skipStages"));
  const startingStage = input.startingStage ? parseStageName(input.startingStage, named("startingStage")) : undefined;
  // watch only runs beside the solver: left alone it does nothing.
  const left = STAGE_NAMES.slice(startingStage ? STAGE_NAMES.indexOf(startingStage) : 0).filter((s) => !skipStages.includes(s) && s !== "watch");
  if (left.length === 0) {
    const given = (name: keyof RunSolverOptions, value: string) => (naming === "flags" ? `--${name}=${value}` : `options.${name} ${JSON.stringify(value)}`);
    // Only skipStages can leave nothing: every startingStage leaves itself, and post-process ends the list.
    const asked = given("skipStages", skipStages.join(",")) + (startingStage ? ` with ${given("startingStage", startingStage)}` : "");
    throw new UsageError(`${asked} leaves no stage to run (the stages are ${STAGE_NAMES.join(", ")})`);
  }
  const timeoutMs =
    input.timeout !== undefined ? timerDuration(input.timeout, named("timeout")) : config.timeout;
  const graceMs = input.grace !== undefined ? timerDuration(input.grace, named("grace")) : (config.grace ?? DEFAULT_GRACE_MS);
  if (timeoutMs === 0) {
    throw new ConfigError(input.timeout !== undefined ? `${named("timeout")} must be longer than 0 (got ${JSON.stringify(input.timeout)})` : `${file}: "timeout" must be longer than 0`);
  }

  const mainScript = config.mainScript ?? "main.py";
  if (isAbsolute(mainScript) || mainScript.split(/[\\/]/).includes("..")) {
    throw new ConfigError(`${file}: "mainScript" must be a path inside scripts/ such as "main.py" (got ${JSON.stringify(mainScript)})`);
  }

  const options: RunOptions = {
    workDir,
    mainScript,
    solverArgs: config.solverArgs ?? [],
    skipStages,
    debugMode: input.debugMode ?? false,
    graceMs,
    maxUnpackBytes: config.maxUnpackBytes ?? DEFAULT_MAX_UNPACK_BYTES,
    passToken: config.passToken ?? false,
    solverEnv: config.env ?? {},
    baseEnv: env,
    pollIntervalMs: input.pollIntervalMs ?? 500,
    watchPolling: input.watchPolling ?? false,
    offline: input.offline ?? false,
    offlineFallback: input.offlineFallback ?? false,
    // Every token that could be in play, not only the one used: a token overridden by
    // PHYSICSWORKS_TOKEN or --tokenFile is still in config.json, and so can reach a message.
    secrets: [...new Set([token, config.token, env.PHYSICSWORKS_TOKEN, env.NATS_TOKEN, ...hostPasswords(host)])].filter((s): s is string => Boolean(s)),
    tuning: resolveTuning(input, warnings, named),
  };
  if (configPath) options.configPath = configPath;
  if (platform) options.platform = platform;
  if (config.scriptsArchive) options.scriptsArchive = fromConfig(config.scriptsArchive);
  if (config.inputsArchive) options.inputsArchive = fromConfig(config.inputsArchive);
  if (config.command) options.command = config.command;
  if (startingStage) options.startingStage = startingStage;
  if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
  const natsUrl = env.PHYSICSWORKS_NATS_URL || config.nats;
  if (natsUrl) options.natsUrl = natsUrl;
  return { options, warnings };
}

/** `tuning` for tests and programs, then the flags a user gives, each checked and named in its error. */
function resolveTuning(input: RunSolverOptions, warnings: string[], named: (name: keyof RunSolverOptions) => string): RunTuning {
  const tuning: RunTuning = { ...DEFAULT_TUNING, ...input.tuning };
  if (input.filesDuringRun !== undefined) tuning.filesDuringRun = input.filesDuringRun;
  if (input.settleTime !== undefined) {
    tuning.settleMs = timerDuration(input.settleTime, named("settleTime"));
    if (!tuning.filesDuringRun) warnings.push(`${named("settleTime")} has no effect without ${named("filesDuringRun")}: whole outputs are sent after the solver`);
  }
  if (input.flushTime !== undefined) {
    tuning.flushMs = timerDuration(input.flushTime, named("flushTime"));
    if (tuning.flushMs === 0) throw new ConfigError(`${named("flushTime")} must be longer than 0 (got ${JSON.stringify(input.flushTime)})`);
  }
  if (input.uploadConcurrency !== undefined) tuning.uploadConcurrency = wholeNumber(input.uploadConcurrency, named("uploadConcurrency"), 1, 64);
  return tuning;
}

async function checkFolder(path: string, where: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new ConfigError(`${where}: work directory ${path} does not exist; create it or fix the path`);
  }
  if (!info.isDirectory()) throw new ConfigError(`${where}: ${path} is not a folder`);
}

/** A config file that holds the token must not be readable by the group or others. */
async function tokenFileWarnings(path: string, tokenFileOption: string): Promise<string[]> {
  const { mode } = await stat(path);
  if ((mode & 0o044) === 0) return [];
  const shown = (mode & 0o777).toString(8);
  return [`${path} holds the platform token but is readable by others (mode ${shown}); run: chmod 600 ${path} (or use ${tokenFileOption} / PHYSICSWORKS_TOKEN)`];
}

