/** Text into HTML (element content and quoted attribute values alike). Everything a solver or user wrote goes through here. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * A log line as a page shows it: terminal colour codes removed (a solver's coloured output would show as
 * "[31m" litter), other control characters made visible rather than handed to the HTML parser.
 */
export function printableLine(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "").replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "\ufffd");
}
