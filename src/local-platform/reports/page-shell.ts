/**
 * The frame of the platform's report pages: the run report's look (its CSS) and its policy, no
 * fetch and no script, so a page from a pre-signed link can do nothing but be read. Everything put
 * in `body` is escaped by its maker; only chart SVG, built from escaped parts, goes in as markup.
 */
import { escapeHtml } from "../../report/html-escape.js";
import { htmlPage } from "../../report/html-page.js";
import { REPORT_CSS } from "../../report/report-style.js";
import type { JobStatus } from "../platform-types.js";


const EXTRA_CSS = `
.status.queued, .status.running { background: #0072b2; }
.status.cancelled { background: var(--muted); }
td.s-queued, td.s-running, td.s-cancelled { color: var(--muted); } td.s-finished { color: var(--ok); } td.s-error { color: var(--bad); }
`;

export function reportPage(title: string, body: string, generatedAt: Date): string {
  return htmlPage(
    title,
    `${REPORT_CSS}${EXTRA_CSS}`,
    `${body}\n<p class="muted">Written ${escapeHtml(generatedAt.toISOString())} by the physicsworks-solve local platform.</p>`,
  );
}

export function statusBadge(status: JobStatus): string {
  return `<span class="status ${status}">${escapeHtml(status)}</span>`;
}

export function section(title: string, body: string): string {
  return `<section>\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

/** A table of text cells, every one escaped; `cellClass` gives a column's cells a class. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], cellClass: (column: number, value: string) => string = () => ""): string {
  const head = `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`;
  const body = rows.map((row) => {
    const cells = row.map((cell, c) => {
      const cls = cellClass(c, cell);
      return `<td${cls ? ` class="${escapeHtml(cls)}"` : ""}>${escapeHtml(cell)}</td>`;
    });
    return `<tr>${cells.join("")}</tr>`;
  });
  return `<table>${head}${body.join("")}</table>`;
}
