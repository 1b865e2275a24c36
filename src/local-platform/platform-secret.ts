import { randomBytes } from "node:crypto";
import { chmod, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors.js";

export const MIN_SECRET_LENGTH = 16;

/**
 * The secret kept in DATA/platform-secret: read when it is there, else created once (mode 600, and
 * `wx` so two servers starting at once end up with the same one).
 */
export async function platformSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, "platform-secret");
  const created = randomBytes(32).toString("hex");
  try {
    await writeFile(file, `${created}\n`, { flag: "wx", mode: 0o600 });
    return created;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
      throw new ConfigError(`${file}: cannot create the platform secret (${(error as Error).message}); check that the --data folder is writable`);
    }
  }
  const secret = (await readFile(file, "utf8")).trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`${file}: the secret is shorter than ${MIN_SECRET_LENGTH} characters; remove the file to have a new one made (every user token then ends)`);
  }
  // Anyone who reads it can mint an admin's token: keep it the owner's only.
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  return secret;
}
