import { outputKind } from "./output-kind.js";
import { scanFiles } from "./scan-outputs.js";
import type { UploadJournal } from "./upload-journal.js";

/**
 * The files under outputs/ the platform lacks as the journal records it (paths relative to
 * outputs/, sorted): a whole file not done in its current size and mtime, a live file not appended
 * up to its current size. What is not uploaded on its own (state.txt, what `sentElsewhere` says,
 * e.g. the sources of a visualization archive) is not counted.
 */
export async function unsentOutputs(outputsDir: string, journal: UploadJournal, sentElsewhere: (path: string) => boolean): Promise<string[]> {
  const unsent: string[] = [];
  for await (const file of scanFiles(outputsDir)) {
    const kind = outputKind(file.path);
    if (kind.kind === "skip" || sentElsewhere(file.path)) continue;
    const entry = journal.get(file.path);
    const sent =
      kind.kind === "live"
        ? entry?.kind === "live" && entry.offset === file.size
        : entry?.kind === "file" && entry.done && entry.size === file.size && entry.mtimeMs === file.mtimeMs;
    if (!sent) unsent.push(file.path);
  }
  return unsent.sort((a, b) => a.localeCompare(b));
}
