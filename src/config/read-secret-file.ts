import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";

/**
 * A secret kept in a file (--tokenFile, --natsTokenFile, --jwtSecretFile): its trimmed content.
 * A file that cannot be read, or is empty, is a usage error naming the flag, the path and the
 * cause; an empty file is a mistake, not "no secret", which would fail later, far from the file.
 */
export async function readSecretFile(path: string, flag: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`, { cause: error });
  }
  const secret = text.trim();
  if (!secret) throw new UsageError(`${flag}: ${path} is empty`);
  return secret;
}
