import { createHash } from "node:crypto";

/**
 * The id of one of the runner's own entries in a run node (a visualization archive, result.zip,
 * the run report), derived from the run node's id and the entry's name: the same entry whenever
 * it is sent again (by a run resumed on its work directory, by a sync), so that the node lists it
 * once (entries are upserted by id), and `sync` can tell that the node lists it. Shaped as a
 * version 5 UUID.
 */
export function runEntryId(runId: string, name: string): string {
  const h = createHash("sha256").update(`${runId}/${name}`).digest("hex");
  const variant = ((parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
