import { createHash, randomUUID } from "node:crypto";
import { resultZipEntry, type VisualizationArchive } from "../postprocess/index.js";
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
  const id = randomUUID();
  const filename = `${id}.zip`;
  await session.uploader.sendArtifact(zipPath, filename, "result.zip");
  session.reporter.addEntry("downloadables", resultZipEntry(id, filename, session.target.simulation));
}

/**
 * The run report's entry id (and stored name's): one per run node, derived from its id, so that a
 * report sent again (by a sync, by a run resumed on its work directory) is the same entry, listed
 * once, and `sync` can tell that the node lists it. Shaped as a version 5 UUID.
 */
export function reportEntryId(runId: string): string {
  const h = createHash("sha256").update(`${runId}/report.html`).digest("hex");
  const variant = ((parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function sendReport(session: PlatformSession, reportPath: string): Promise<void> {
  const id = reportEntryId(session.reporter.node.id);
  const filename = `${id}.html`;
  await session.uploader.sendArtifact(reportPath, filename, "report.html");
  session.reporter.addEntry("media", { id, name: "report.html", filename, simulation: session.target.simulation, isMedia: true, mediaType: "html" });
}
