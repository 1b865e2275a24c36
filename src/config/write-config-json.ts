import { rename, writeFile } from "node:fs/promises";

/**
 * Writes a config.json the runner made (a sweep's point, a queued run's copy): readable by its
 * owner only when it holds the platform token (a secret), as a user keeps their own (e.g. 600);
 * through a temporary file, so a config rewritten by a second `sweep run` gets the mode too.
 */
export async function writeConfigJson(path: string, config: Record<string, unknown>): Promise<void> {
  const secret = typeof config.token === "string" && config.token !== "";
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: secret ? 0o600 : 0o644 });
  await rename(tmp, path);
}
