import { randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { connectNats } from "../../events/nats-connection.js";
import type { PlatformDeps } from "../platform-deps.js";

export interface Health {
  ok: boolean;
  database: string;
  dataDir: string;
  nats: string;
  /** The first failing part and its message, when one fails. */
  error?: string;
}

export interface HealthOptions {
  /** How long the NATS connect may take. */
  natsTimeoutMs?: number;
}

/** Each part the platform needs, checked for real: a query, a file written and removed, a NATS connect. */
export async function checkHealth(deps: Pick<PlatformDeps, "db" | "settings">, options: HealthOptions = {}): Promise<Health> {
  const [database, dataDir, nats] = await Promise.all([
    part(async () => deps.db.ping()),
    part(async () => {
      const probe = path.join(deps.settings.dataDir, `.health-${randomUUID()}`);
      await writeFile(probe, "");
      await rm(probe, { force: true });
    }),
    deps.settings.natsUrl === undefined
      ? Promise.resolve("not used")
      : part(async () => {
          const nc = await connectNats({ url: deps.settings.natsUrl, connectTimeoutMs: options.natsTimeoutMs ?? 2000, maxReconnectAttempts: 0, name: "physicsworks-health" });
          await nc.close();
        }),
  ]);
  const failing = (["database", "dataDir", "nats"] as const).find((name) => !["ok", "not used"].includes({ database, dataDir, nats }[name]));
  const health: Health = { ok: failing === undefined, database, dataDir, nats };
  if (failing) health.error = `${failing}: ${health[failing]}`;
  return health;
}

async function part(check: () => Promise<void>): Promise<string> {
  try {
    await check();
    return "ok";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
