/** Folders named in a warning before it counts the rest. */
const SHOWN = 5;

/**
 * The warning for folders of this sweep that SLURM or the queue still holds but the spec no
 * longer has (it was edited: a point's folder is `<index>-<hash>`), or undefined when there are
 * none: their parameters may be submitted again under another folder. `holder` says who holds
 * them ("SLURM still runs 2 folder(s)"), `folders` names them, `again` what would happen again.
 */
export function strayFoldersWarning(holder: string, folders: string[], again: "submitted" | "queued"): string | undefined {
  if (folders.length === 0) return undefined;
  const more = folders.length > SHOWN ? `, and ${folders.length - SHOWN} more` : "";
  return (
    `${holder} of this sweep that the spec no longer has: ${folders.slice(0, SHOWN).join(", ")}${more}; ` +
    `was the spec edited (a point's folder is <index>-<hash>)? Their parameters may now be ${again} again under another folder`
  );
}
