import { resultZipEntry, runEntryId, type VisualizationArchive } from "../postprocess/index.js";
import type { PlatformSession } from "./platform-session.js";

/**
 * The runner's own outputs, each sent whole under its own stored name with the run node entry
 * protocol.md gives it: visualization archives under graphics, result.zip under downloadables,
 * the run report under media.
 */
export async function sendArchives(
  session: PlatformSession,
  archives: readonly VisualizationArchive[],
  onSent?: (archive: VisualizationArchive) => void,
): Promise<void> {
  // All of them first: what went into an archive is never sent on its own, also when an archive fails.
  for (const archive of archives) session.uploader.leave(archive.files);
  for (const archive of archives) {
    await session.uploader.sendArtifact(archive.archivePath, archive.storedName, archive.storedName);
    session.reporter.addEntry("graphics", archive.entry);
    if (archive.extras) session.reporter.addExtras(archive.extras);
    onSent?.(archive);
  }
}

export async function sendResultZip(session: PlatformSession, zipPath: string): Promise<void> {
  // One per run node (see runEntryId): sent again, it is the same entry.
  const id = runEntryId(session.reporter.node.id, "result.zip");
  const filename = `${id}.zip`;
  await session.uploader.sendArtifact(zipPath, filename, "result.zip");
  session.reporter.addEntry("downloadables", resultZipEntry(id, filename, session.target.simulation));
}

/** The run report's entry id (and stored name's): one per run node (see runEntryId). */
export function reportEntryId(runId: string): string {
  return runEntryId(runId, "report.html");
}

export async function sendReport(session: PlatformSession, reportPath: string): Promise<void> {
  const id = reportEntryId(session.reporter.node.id);
  const filename = `${id}.html`;
  await session.uploader.sendArtifact(reportPath, filename, "report.html");
  session.reporter.addEntry("media", { id, name: "report.html", filename, simulation: session.target.simulation, isMedia: true, mediaType: "html" });
}
