import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { runCommand, type RunFlags } from "./cli/run-command.js";
import { serveCommand, tokenCommand, type ServeFlags } from "./cli/serve-command.js";
import { queueCommand, type QueueFlags } from "./cli/queue-command.js";
import { submitCommand, type SubmitFlags } from "./cli/submit-command.js";
import {
  sweepPlanCommand,
  sweepRunCommand,
  sweepStatusCommand,
  type SweepPlanFlags,
  type SweepRunFlags,
  type SweepStatusFlags,
} from "./cli/sweep-command.js";
import { syncCommand, type SyncFlags } from "./cli/sync-command.js";
import { workerCommand, type WorkerFlags } from "./cli/worker-command.js";
import { refuseEmptyValues } from "./cli/empty-values.js";
import { nearestName } from "./config/nearest-name.js";
import { AbortError, abortMessage, ExitCode, PhysicsWorksError } from "./errors.js";

const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

const EXAMPLES = `
Examples:
  $ physicsworks-solve --configPath=config.json
      run the solver of config.json (natively when it has no "host")
  $ physicsworks-solve --configPath=config.json --startingStage=execute
      run again from the solver, keeping what download left in the work directory
  $ physicsworks-solve --configPath=config.json --skipStages=download --timeout=2h --grace=30s
  $ physicsworks-solve --workDir=./run1 --json > summary.json
      no config file: scripts/main.py in ./run1, machine-readable summary on stdout
  $ PHYSICSWORKS_TOKEN=… physicsworks-solve --configPath=config.json
  $ physicsworks-solve --configPath=config.json --tokenFile=/run/secrets/pw-token

Stages: init, download, watch (beside execute), execute, post-process.
Abort a running run: set "abort": true in its config.json, or send SIGTERM/SIGINT.
Exit codes: 0 finished, 1 solver failed or aborted, 2 usage or config error or work directory in use,
            3 platform or network error, 130/143 runner got SIGINT/SIGTERM.
Files: <workDir>/debug/run.json (summary), debug/main.txt (solver output), debug/runner.log.
`;

const SERVE_EXAMPLES = `
Examples:
  $ physicsworks-solve serve --port 8080 --data ./pw-data --tokenFile ./token
      the protocol server alone: runners send that token
  $ physicsworks-solve serve --port 8080 --data ./pw-data --solvers ./examples
      the local platform: open http://127.0.0.1:8080/, register (the first user is the admin),
      submit heat1d jobs; or use the API:
      curl -X POST localhost:8080/api/v1/auth/register -H 'content-type: application/json' \\
           -d '{"name":"ada","password":"at-least-8-chars"}'
  $ physicsworks-solve serve --data ./pw-data --solvers ./examples --nats nats://127.0.0.1:4222

With --solvers, users log in with their own tokens (no --token); tokens are signed with
--jwtSecret(File), else with a secret made once in <data>/platform-secret (mode 600).
`;

function buildProgram(signal: AbortSignal, setExit: (code: number) => void): Command {
  const program = new Command("physicsworks-solve")
    .description("Run a physics solver for the PhysicsWorks platform, or natively when the config has no host.")
    .version(version, "-v, --version")
    .option("--configPath <file>", "config.json (or .yaml / .yml) of the run")
    .option("--workDir <dir>", "work directory (overrides the config's workDir)")
    .option("--startingStage <stage>", "skip the stages before this one: init, download, watch, execute, post-process (the Python runner's names too: initialization, preprocessing, solver or run, postprocessing)")
    .option("--skipStages <list>", "comma-separated stages not to run, e.g. download,post-process")
    .option("--debugMode [bool]", "echo the solver's output and the runner's steps")
    .option("--timeout <duration>", 'end the run after this long, e.g. "2h", "90m", "3600"')
    // No commander default: it would always win over the config's "grace".
    .option("--grace <duration>", "time between SIGTERM and SIGKILL when the solver is stopped (default 10s, or the config's grace)")
    .option("--tokenFile <file>", "read the platform token from this file instead of argv or config")
    .option("--offline", "run natively although the config names a host; send it later with sync")
    .option("--offlineFallback", "when the platform cannot be reached at the start, run offline instead of failing")
    .option("--watchPolling", "poll outputs/ instead of inotify (NFS, Lustre: other nodes' writes)")
    .option("--uploadConcurrency <n>", "uploads at once, 1-64 (default 4)")
    .option("--flushTime <duration>", "after an abort, a signal or a solver failure, how long sending may still take (default 30s; keep SLURM's --signal lead time above it)")
    .option("--filesDuringRun", "also send whole outputs (files/**, loose files) during the run once settled; protocol.md sends them after the solver, and a file changed after it was sent is sent again")
    .option("--settleTime <duration>", "with --filesDuringRun: how long a file's size and mtime must hold still before it is sent (default 2s)")
    .option("--quiet", "print nothing but warnings and errors (no progress display, no summary)")
    .option("--json", "print the run summary as JSON on stdout (the display goes to stderr)")
    .addHelpText("after", EXAMPLES)
    // commander's own errors ("error: unknown option …") read like the runner's other errors.
    .configureOutput({
      outputError: (text, write) => write(`physicsworks-solve: ${text.replace(/^error: /, "")}${strayWordHint(text, program)}`),
    })
    .showHelpAfterError("(run physicsworks-solve --help for the options)")
    .exitOverride()
    .enablePositionalOptions()
    .hook("preAction", (_program, command) => refuseEmptyValues(command))
    .action(async (flags: RunFlags) => setExit(await runCommand(flags, signal)));

  program
    .command("serve")
    .description("start the reference platform server (protocol.md parts 1, 3, 4) for runners to talk to; with --solvers, the local platform: users, jobs, dashboard (docs/local-platform.md)")
    .option("--port <n>", "port to listen on; 0 picks a free one", "0")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--data <dir>", "folder for run data, files to download and everything runners send", "./physicsworks-data")
    .option("--token <token>", "the auth-token runners must send (or PHYSICSWORKS_TOKEN)")
    .option("--tokenFile <file>", "read that token from a file")
    .option("--jwtSecret <secret>", "accept HS256 JWTs signed with this secret instead (or PHYSICSWORKS_JWT_SECRET)")
    .option("--jwtSecretFile <file>", "read the JWT secret from a file")
    .option("--faultRate <share>", "for tests: share of requests answered 503, 429 or dropped (0–1)")
    .option("--latencyMs <ms>", "for tests: add a random delay up to this to each request")
    .option("--uploadBytesPerSecond <n>", "for tests: read v2 upload bodies at most this fast (a slow link, to interrupt an upload midway)")
    .option("--v1Only", "behave as a v1-only platform (no capabilities, no v2 uploads)")
    .option("--no-socketIo", "do not offer socket.io live control")
    .option("--solvers <dir>", "run the local platform: each sub-folder of <dir> with a config.json is a solver type users can submit jobs to (job API under /api/v1, dashboard at /)")
    .option("--concurrency <n>", "platform: jobs run at once in this process (default 2)")
    .option("--nats <url>", "platform: hand jobs to the NATS work queue that `physicsworks-solve worker` reads, instead of running them here")
    .option("--urlTtl <duration>", "platform: how long a pre-signed report URL works (default 15m)")
    .option("--grace <duration>", "platform: time between SIGTERM and SIGKILL when a job is cancelled (default 5s)")
    .addHelpText("after", SERVE_EXAMPLES)
    .action(async (flags: ServeFlags) => setExit(await serveCommand(flags, signal)));

  program
    .command("sync")
    .description("send what an offline run left in its work directory, or what a run could not send to its platform (its flush time ran out, or the platform failed its sends): to the same run, safe to run twice")
    .option("--configPath <file>", "the run's config.json (with host, token, project, simulation, job, owner)")
    .option("--workDir <dir>", "work directory (overrides the config's workDir)")
    .option("--tokenFile <file>", "read the platform token from this file")
    .option("--json", "print the outcome as JSON")
    .action(async (flags: SyncFlags) => setExit(await syncCommand(flags)));

  const withNats = (command: Command) =>
    command
      .option("--nats <url>", "NATS server URL(s), comma-separated (default $NATS_URL, then nats://127.0.0.1:4222)")
      .option("--natsCreds <file>", "NATS credentials file (default $NATS_CREDS)")
      .option("--natsTokenFile <file>", "a file holding the NATS token (default $NATS_TOKEN)");

  withNats(program.command("worker").description("take runs from a JetStream work queue and run them, until SIGTERM"))
    .option("--stream <name>", "the work queue stream", "PHYSICSWORKS_RUNS")
    .option("--concurrency <n>", "runs at once", "1")
    .option("--workRoot <dir>", "each run works in <dir>/<id>/", "./physicsworks-runs")
    .option("--grace <duration>", "after SIGTERM, how long runs in progress may take before they go back to the queue", "30s")
    .option("--ackWait <duration>", "a run with no news from its worker goes to another worker after this (the same on every worker)", "30s")
    .option("--busyDelay <duration>", "a run whose work directory another runner holds goes back to the queue for this long", "60s")
    .option("--maxAttempts <n>", "deliveries of one run before it is given up", "5")
    .option("--consumer <name>", "the durable consumer the workers share", "workers")
    .option("--name <name>", "this worker's name in queue and done records (default host:pid)")
    .option("--quiet", "no log lines")
    .addHelpText("after", "\nExample:\n  $ physicsworks-solve worker --nats nats://127.0.0.1:4222 --concurrency 2 --workRoot /scratch/runs\n")
    .action(async (flags: WorkerFlags) => setExit(await workerCommand(flags, signal)));

  withNats(program.command("submit").description("queue one run per config file and print their ids"))
    .argument("<configs...>", "config.json (or .yaml) files")
    .option("--stream <name>", "the work queue stream", "PHYSICSWORKS_RUNS")
    .option("--repeat <n>", "runs per config file", "1")
    .option("--reference", "queue the config file's absolute path instead of its fields (workers read it from a shared filesystem)")
    .action(async (configs: string[], flags: Omit<SubmitFlags, "configs">) => setExit(await submitCommand({ ...flags, configs })));

  withNats(program.command("queue").description("show pending, running and done runs of a work queue"))
    .option("--stream <name>", "the work queue stream", "PHYSICSWORKS_RUNS")
    .option("--consumer <name>", "the durable consumer the workers share", "workers")
    .option("--json", "print the counts as JSON")
    .action(async (flags: QueueFlags) => setExit(await queueCommand(flags)));

  const sweep = program.command("sweep").description("run one solver over many parameter sets: here, as a SLURM job array, or through the NATS work queue");
  sweep
    .command("plan")
    .description("print the points of a sweep spec without running them")
    .argument("<spec>", "sweep spec (.yaml or .json)")
    .option("--json", "print the points as JSON")
    .action(async (spec: string, flags: SweepPlanFlags) => setExit(await sweepPlanCommand(spec, flags)));
  withNats(
    sweep
      .command("run")
      .description("run every unfinished point: locally in a pool, as a SLURM job array, or into the NATS work queue (run it again to resume; points an earlier submission still runs are left to it)"),
  )
    .argument("<spec>", "sweep spec (.yaml or .json)")
    .option("--scheduler <name>", "local, slurm or nats", "local")
    .option("--concurrency <n>", "local: points at once (default 1)")
    .option("--dryRun", "slurm: write the sbatch script and the runs, do not submit")
    .option("--stream <name>", "nats: the work queue stream", "PHYSICSWORKS_RUNS")
    .option("--timeout <duration>", "local: time limit of each point")
    .option("--grace <duration>", "local: between SIGTERM and SIGKILL of a point's solver")
    .option("--quiet", "local: no progress lines")
    .addHelpText("after", "\nExamples:\n  $ physicsworks-solve sweep run sweep.yaml --concurrency 4\n  $ physicsworks-solve sweep run sweep.yaml --scheduler slurm --dryRun\n")
    .action(async (spec: string, flags: SweepRunFlags) => setExit(await sweepRunCommand(spec, flags, signal)));
  sweep
    .command("status")
    .description("each point's run status and SLURM state; rewrites sweep-results.csv")
    .argument("<spec>", "sweep spec (.yaml or .json)")
    .option("--json", "print it as JSON")
    .action(async (spec: string, flags: SweepStatusFlags) => setExit(await sweepStatusCommand(spec, flags)));

  program
    .command("token")
    .description("mint a JWT for a server started with --jwtSecret")
    .requiredOption("--sub <user>", "who the token is for")
    .option("--scope <scopes>", "space- or comma-separated scopes", "runner")
    .option("--expiresIn <duration>", "lifetime, e.g. 1h, 30m, 7d", "1h")
    .option("--jwtSecret <secret>", "the server's secret (or PHYSICSWORKS_JWT_SECRET)")
    .option("--jwtSecretFile <file>", "read the secret from a file")
    .action(async (flags: Parameters<typeof tokenCommand>[0]) => setExit(await tokenCommand(flags)));
  return program;
}

/** A SIGTERM that arrives again within this is one request, delivered twice (see main's onSignal). */
const SAME_SIGNAL_MS = 500;

async function main(argv: string[]): Promise<number> {
  keepRunningWhenOutputCloses();
  const controller = new AbortController();
  let signalled: { name: NodeJS.Signals; at: number } | undefined;
  const onSignal = (name: "SIGINT" | "SIGTERM") => {
    // A SIGTERM again at once is the first one delivered twice, not a second request: GNU timeout
    // signals its child and then its own process group. (A SIGINT is a key pressed: two are two.)
    if (name === "SIGTERM" && signalled?.name === name && performance.now() - signalled.at < SAME_SIGNAL_MS) return;
    if (signalled) {
      // A second signal: the user does not want to wait for the grace period. The exit kills the
      // solver's process group (spawn-solver.ts); what was not sent is left for a restart or sync.
      if (process.stderr.writable) process.stderr.write(`physicsworks-solve: a second ${name}: stopping at once, without the clean-up the first one began\n`);
      process.exit(name === "SIGINT" ? ExitCode.sigint : ExitCode.sigterm);
    }
    signalled = { name, at: performance.now() };
    controller.abort(new AbortError(name, abortMessage(name)));
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));

  let exitCode: number = ExitCode.ok;
  const program = buildProgram(controller.signal, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    return reportError(error);
  }
  return exitCode;
}

/**
 * A terminal output whose reader went away (`physicsworks-solve … | head -1`, a closed log pipe) must not
 * end the run halfway, with the solver left running and nothing sent: without a handler the write error
 * kills the process. The failed stream is errored, hence no longer writable, and the display stops writing
 * there; the run goes on to its own exit code. EPIPE is the reader leaving, said nowhere; any other write
 * error is told once on the other stream.
 */
function keepRunningWhenOutputCloses(): void {
  const outputs = [
    { name: "stdout", stream: process.stdout, other: process.stderr },
    { name: "stderr", stream: process.stderr, other: process.stdout },
  ];
  for (const { name, stream, other } of outputs) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE" || !other.writable) return;
      other.write(`physicsworks-solve: writing to ${name} failed (${error.message}); nothing more is printed there, the run goes on\n`);
    });
  }
}

/**
 * For a word the runner does not take (`physicsworks-solve config.json`, `physicsworks-solve sevre`):
 * how the config file is given, or the command it is likely a typo of. Empty for another error, or
 * one of a command's own.
 */
function strayWordHint(text: string, program: Command): string {
  const typo = optionTypoHint(text, program);
  if (typo) return typo;
  const extra = text.includes("too many arguments");
  if (!extra && !text.includes("unknown option")) return "";
  const commands = program.commands.map((c) => c.name());
  // The words commander did not take as options or their values (set before it refuses them).
  const word = program.args.find((w) => !w.startsWith("-"));
  if (word === undefined || commands.includes(word)) return "";
  // A command's typo, whose options the runner then does not know either.
  const near = /\.(json|ya?ml)$/i.test(word) ? undefined : nearestName(word, commands);
  if (near) return `("${word}" is not a command; did you mean "${near}"?)\n`;
  return extra ? `(a config file goes with --configPath: physicsworks-solve --configPath=${word}; the commands are ${commands.join(", ")})\n` : "";
}

/**
 * `--configpath=config.json`: commander suggests the flag meant for `--configpath config.json`,
 * not for the `=` form. The nearest flag of any command, as commander words its own hint.
 */
function optionTypoHint(text: string, program: Command): string {
  const given = /unknown option '--([^'=\s]+)=/.exec(text)?.[1];
  if (!given) return "";
  const commands = [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)];
  const flags = [...new Set(commands.flatMap((c) => c.options.map((o) => o.long?.replace(/^--(no-)?/, "") ?? "")).filter(Boolean))];
  const near = nearestName(given, flags);
  return near ? `(Did you mean --${near}?)\n` : "";
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version are not errors; everything else commander refuses is a usage error.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof PhysicsWorksError) {
    process.stderr.write(`physicsworks-solve: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(`physicsworks-solve: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return ExitCode.solverFailed;
}

/** Exits once stdout and stderr have handed everything to the OS: a piped --json summary must not be cut short. */
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  // A stream closed by its reader takes no more writes: nothing is left to flush there.
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.writable) stream.write("", done);
    else done();
  }
}

main(process.argv).then(exitAfterFlush, (error: unknown) => exitAfterFlush(reportError(error)));
