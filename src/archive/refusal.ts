import { ArchiveError } from "../errors.js";
import { quote } from "./quote.js";

/**
 * Why one entry may not be written. Thrown deep in the write path, which knows
 * the path but not the archive; the writer turns it into an ArchiveError that
 * names both.
 */
export class Refusal extends Error {
  override readonly name = "Refusal";
}

export function refusedEntry(archivePath: string, entryName: string, reason: string): ArchiveError {
  return new ArchiveError(`${archivePath}: refused entry ${quote(entryName)}: ${reason}. Nothing was written outside the target folder.`);
}

