import { readSecretFile } from "../config/read-secret-file.js";
import type { NatsConnectOptions } from "./nats-connection.js";

/** The connection flags `worker`, `submit` and `queue` share. */
export interface NatsFlags {
  nats?: string;
  natsCreds?: string;
  natsTokenFile?: string;
}

/** --nats / --natsCreds / --natsTokenFile → connection options; the environment (NATS_URL, NATS_CREDS, NATS_TOKEN) fills the rest. */
export async function natsOptionsFromFlags(flags: NatsFlags): Promise<NatsConnectOptions> {
  const options: NatsConnectOptions = {};
  if (flags.nats) options.url = flags.nats;
  if (flags.natsCreds) options.credsFile = flags.natsCreds;
  if (flags.natsTokenFile) options.token = await readSecretFile(flags.natsTokenFile, "--natsTokenFile");
  return options;
}

