import { wholeNumber } from "../config/whole-number.js";
import { natsOptionsFromFlags, type NatsFlags } from "../events/nats-flags.js";

export interface SubmitFlags extends NatsFlags {
  /** The config files (commander's variadic argument). */
  configs: string[];
  stream: string;
  repeat: string;
  reference?: boolean;
}

/** `physicsworks-solve submit`: enqueues one run per config file (times --repeat) and prints their ids, one a line. */
export async function submitCommand(flags: SubmitFlags): Promise<number> {
  const repeat = wholeNumber(flags.repeat, "--repeat", 1, 100_000);
  const connection = await natsOptionsFromFlags(flags);
  const [{ connectNats }, { droppedWarning, prepareRuns, publishRuns }] = await Promise.all([
    import("../events/nats-connection.js"),
    import("../events/worker/submit-runs.js"),
  ]);
  // Read and checked before connecting: a bad config is the user's error (exit 2) even when NATS
  // is also down, which would otherwise hide it behind exit 3.
  const { requests, warnings } = await prepareRuns({ configs: flags.configs, repeat, ...(flags.reference ? { reference: true } : {}) });
  // Said before anything is sent (and also when NATS then cannot be reached): an unknown key is
  // a warning, as the run itself gives it, so the user sees it before the workers do.
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const nc = await connectNats({ ...connection, name: "physicsworks-solve submit", maxReconnectAttempts: 3 });
  try {
    const { ids, dropped } = await publishRuns(nc, flags.stream, requests);
    for (const id of dropped) process.stderr.write(`warning: ${droppedWarning(id)}\n`);
    process.stdout.write(ids.map((id) => `${id}\n`).join(""));
    return 0;
  } finally {
    await nc.drain();
  }
}
