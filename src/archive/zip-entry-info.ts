import yauzl, { type Entry } from "yauzl";
import type { EntryKind } from "./types.js";

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
// "Version made by" hosts whose external attributes carry a unix st_mode.
const UNIX_HOSTS = new Set([3 /* unix */, 19 /* OS X */]);
const MSDOS_DIRECTORY = 0x10;

/** What a zip entry is, read from its central-directory record. */
export interface ZipEntryInfo {
  name: string;
  kind: EntryKind;
  mode: number | undefined;
}

export function describeZipEntry(entry: Entry): ZipEntryInfo {
  // strict: keep `\` as stored, so errors quote the real name; checkEntryName treats it as a separator.
  const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
  const unixMode = UNIX_HOSTS.has(entry.versionMadeBy >> 8) ? entry.externalFileAttributes >>> 16 : 0;
  const type = unixMode & S_IFMT;
  const mode = unixMode === 0 ? undefined : unixMode & 0o7777;
  let kind: EntryKind;
  const dosDirectory = unixMode === 0 && (entry.externalFileAttributes & MSDOS_DIRECTORY) !== 0;
  if (name.endsWith("/") || name.endsWith("\\") || type === S_IFDIR || dosDirectory) {
    kind = "directory";
  } else if (type === S_IFLNK) {
    kind = "symlink";
  } else if (type === 0 || type === S_IFREG) {
    kind = "file";
  } else {
    kind = "skip"; // device, fifo, socket
  }
  return { name, kind, mode };
}

/** Why yauzl could not give this entry's bytes, or undefined when it can. */
export function undecodableReason(entry: Entry): string | undefined {
  if (entry.isEncrypted()) return "it is encrypted, which is not supported";
  if (!entry.canDecodeFileData()) return `its compression method ${entry.compressionMethod} is not supported (only stored and deflate)`;
  return undefined;
}
