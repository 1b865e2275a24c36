/**
 * Runs one of the NATS commands the way src/cli.ts does (signals → AbortSignal, the returned code
 * → exit code), for tests that need a real process: a worker killed with SIGKILL or stopped with SIGTERM.
 *   node --import tsx test/helpers/nats-cli.ts worker '{"stream": "RUNS", ...flags}'
 */
import { AbortError, abortMessage, exitCodeOf } from "../../src/errors.js";
import { workerCommand } from "../../src/cli/worker-command.js";
import { submitCommand } from "../../src/cli/submit-command.js";
import { queueCommand } from "../../src/cli/queue-command.js";

const [command, json] = process.argv.slice(2);
const flags = JSON.parse(json ?? "{}");
const controller = new AbortController();
for (const name of ["SIGINT", "SIGTERM"] as const) {
  process.on(name, () => controller.abort(new AbortError(name, abortMessage(name))));
}
const run =
  command === "worker"
    ? workerCommand({ stream: "PHYSICSWORKS_RUNS", consumer: "workers", concurrency: "1", workRoot: ".", grace: "30s", ackWait: "30s", maxAttempts: "5", ...flags }, controller.signal)
    : command === "submit"
      ? submitCommand({ stream: "PHYSICSWORKS_RUNS", repeat: "1", configs: [], ...flags })
      : command === "queue"
        ? queueCommand({ stream: "PHYSICSWORKS_RUNS", consumer: "workers", ...flags })
        : Promise.reject(new Error(`unknown command ${command}`));
run.then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`physicsworks-solve: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(exitCodeOf(error));
  },
);
