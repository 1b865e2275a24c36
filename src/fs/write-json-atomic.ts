import { rename, writeFile } from "node:fs/promises";

/**
 * `value` as JSON (indented by `space`, and a final newline) in `path`, written beside it and
 * renamed in: a reader never sees half of it, and a runner killed mid-write leaves the previous one.
 */
export async function writeJsonAtomic(path: string, value: unknown, space?: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, space)}\n`);
  await rename(tmp, path);
}
