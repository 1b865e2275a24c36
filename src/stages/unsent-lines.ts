import { shellQuote } from "../text/shell-quote.js";

/** Outputs named one by one in a message; the rest are counted (the journal has them all). */
const LISTED_OUTPUTS = 20;

/**
 * The outputs a message names as not sent: the first LISTED_OUTPUTS, each with why when it is
 * known, then how many more. Thousands of files must not make a message of thousands of lines.
 */
export function unsentOutputLines(outputs: readonly { path: string; error?: string }[]): string[] {
  const lines = outputs.slice(0, LISTED_OUTPUTS).map((o) => `outputs/${o.path}${o.error ? `: ${o.error}` : ""}`);
  if (outputs.length > LISTED_OUTPUTS) lines.push(`… and ${outputs.length - LISTED_OUTPUTS} more output file(s) (debug/uploads.json records what was sent)`);
  return lines;
}

/** The command that sends what a run left unsent, to the same run node. */
export function syncCommandFor(configPath: string | undefined): string {
  return configPath
    ? `\`physicsworks-solve sync --configPath=${shellQuote(configPath)}\``
    : "`physicsworks-solve sync` (or syncRun()) with this run's config";
}
