import { randomUUID } from "node:crypto";
import { copyFile, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** Written beside its target and renamed in: a download never reads half a report. */
export async function writeFileAtomic(target: string, content: string | { copyOf: string }): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temporary = `${target}.${randomUUID()}.tmp`;
  try {
    if (typeof content === "string") await writeFile(temporary, content);
    else await copyFile(content.copyOf, temporary);
    await rename(temporary, target);
  } finally {
    await rm(temporary, { force: true });
  }
}
