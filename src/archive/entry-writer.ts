import { link, lstat, symlink, unlink } from "node:fs/promises";
import path from "node:path";
import { ArchiveError } from "../errors.js";
import { checkEntryName, isAbsoluteAnywhere } from "./entry-name.js";
import { quote } from "./quote.js";
import { Refusal, refusedEntry } from "./refusal.js";
import { isInside, resolveReal } from "./resolve-real.js";
import type { Tally } from "./tally.js";
import type { TargetDir } from "./target-dir.js";
import type { ArchiveEntry } from "./types.js";
import { clearForFile, writeNewFile } from "./write-file.js";

interface MadeLink {
  entryName: string;
  path: string;
}

/**
 * The one way anything from an archive reaches the disk. Every entry, zip or
 * tar, passes the same checks here before a byte is written.
 */
export class EntryWriter {
  private readonly links: MadeLink[] = [];

  constructor(
    private readonly archivePath: string,
    private readonly target: TargetDir,
    private readonly tally: Tally,
  ) {}

  async write(entry: ArchiveEntry): Promise<void> {
    this.tally.addEntry();
    try {
      await this.place(entry);
    } catch (error) {
      if (error instanceof Refusal) throw refusedEntry(this.archivePath, entry.name, error.message);
      throw error;
    }
    this.tally.report();
  }

  /**
   * A symlink checked when it was made can be bent out later, by a link made
   * after it (`l -> a/../x`, then `a -> .`). So once all is written, every link
   * made is resolved again; one that now leads out is removed and refused.
   */
  async verifyLinks(): Promise<void> {
    for (const made of this.links) {
      let reason: string | undefined;
      try {
        const real = await resolveReal(path.dirname(made.path), [path.basename(made.path)]);
        if (!isInside(this.target.root, real)) reason = `with the other links it leads out of the target folder (to ${real})`;
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        reason = error.message;
      }
      if (reason !== undefined) {
        await unlink(made.path).catch(() => {});
        throw refusedEntry(this.archivePath, made.entryName, reason);
      }
    }
  }

  private async place(entry: ArchiveEntry): Promise<void> {
    if (entry.kind === "skip") return;
    const segments = namedSegments(entry.name);
    if (entry.kind === "directory") {
      await this.target.folder(segments, folderMode(entry.mode));
      return;
    }
    if (segments.length === 0) throw new Refusal("it names the target folder itself");
    const parent = await this.target.folder(segments.slice(0, -1));
    const dest = path.join(parent, segments[segments.length - 1]!);
    switch (entry.kind) {
      case "file":
        return this.writeFile(entry, dest);
      case "symlink":
        return this.makeSymlink(entry, parent, dest);
      case "hardlink":
        return this.makeHardLink(entry, dest);
    }
  }

  private async writeFile(entry: ArchiveEntry, dest: string): Promise<void> {
    const content = await entry.open();
    const written = await writeNewFile(dest, fileMode(entry.mode), content, (bytes) => this.tally.addBytes(bytes, entry.name));
    if (entry.declaredSize !== undefined && written !== entry.declaredSize) {
      await unlink(dest).catch(() => {});
      throw new ArchiveError(
        `${this.archivePath}: entry ${quote(entry.name)} is truncated (${written} of ${entry.declaredSize} bytes); the archive is damaged or incomplete.`,
      );
    }
  }

  private async makeSymlink(entry: ArchiveEntry, parent: string, dest: string): Promise<void> {
    const text = linkText(entry);
    const absolute = isAbsoluteAnywhere(text);
    if (/^[a-zA-Z]:/.test(text)) throw new Refusal(`its target ${quote(text)} is a Windows absolute path`);
    const real = await resolveReal(absolute ? "/" : parent, text.split("/"));
    if (!isInside(this.target.root, real)) throw new Refusal(`it is a symlink to ${quote(text)}, which leads out of the target folder`);
    await clearForFile(dest);
    await symlink(text, dest);
    this.links.push({ entryName: entry.name, path: dest });
  }

  /** Tar hard links name their source from the archive root, so it gets the same name check. */
  private async makeHardLink(entry: ArchiveEntry, dest: string): Promise<void> {
    const text = linkText(entry);
    const source = checkEntryName(text);
    if (!source.ok) throw new Refusal(`it is a hard link to ${quote(text)}: ${source.reason}`);
    const real = await resolveReal(this.target.root, source.segments);
    if (!isInside(this.target.root, real)) throw new Refusal(`it is a hard link to ${quote(text)}, which leads out of the target folder`);
    const stats = await lstat(real).catch(() => undefined);
    if (!stats?.isFile()) throw new Refusal(`it is a hard link to ${quote(text)}, which is not a file unpacked before it`);
    await clearForFile(dest);
    await link(real, dest);
  }
}

function namedSegments(name: string): string[] {
  const checked = checkEntryName(name);
  if (!checked.ok) throw new Refusal(checked.reason);
  return checked.segments;
}

function linkText(entry: ArchiveEntry): string {
  const text = entry.linkTarget ?? "";
  if (text === "") throw new Refusal("it is a link without a target");
  if (text.includes("\0")) throw new Refusal("its link target contains a NUL byte");
  // Same convention as names: a link made on Windows uses `\`.
  return text.replace(/\\/g, "/");
}

// Permission bits only: setuid, setgid and sticky never survive an unpack.
// The owner keeps read and write so the runner can replace what it unpacked.
function fileMode(mode: number | undefined): number {
  return ((mode ?? 0o644) & 0o777) | 0o600;
}

function folderMode(mode: number | undefined): number {
  return ((mode ?? 0o755) & 0o777) | 0o700;
}
