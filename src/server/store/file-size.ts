import { stat } from "node:fs/promises";
import { isMissing } from "./json-file.js";

/** The size of a regular file, or undefined when there is none. */
export async function sizeOf(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : undefined;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}
