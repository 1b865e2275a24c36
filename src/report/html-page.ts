import { escapeHtml } from "./html-escape.js";

/**
 * The policy of every report page: no fetch, no script, styles and data: images only, so a page
 * can do nothing but be read. In the page itself, and as a header where a server sends one.
 */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** A self-contained HTML page under REPORT_CSP: `title` is escaped here; `body` must come escaped by its maker. */
export function htmlPage(title: string, css: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
