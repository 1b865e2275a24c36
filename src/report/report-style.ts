/** The report's CSS, inline: the page is one file that draws offline. System fonts only. */
export const REPORT_CSS = `
:root { color-scheme: light; --fg: #1d232a; --muted: #5b6570; --line: #d8dde3; --ok: #1a7f37; --bad: #c62828; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.status { display: inline-block; padding: 2px 10px; border-radius: 12px; color: #fff; font-weight: 600; font-size: .9rem; vertical-align: middle; }
.status.finished { background: var(--ok); }
.status.error { background: var(--bad); }
.label { color: var(--muted); margin: 4px 0 16px; }
.error-box { border-left: 4px solid var(--bad); background: #fdecea; padding: 8px 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 10px 4px 0; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { color: var(--muted); font-weight: 600; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.facts th { width: 12em; }
td.value { font-variant-numeric: tabular-nums; }
.s-finished { color: var(--ok); } .s-failed { color: var(--bad); } .s-skipped, .s-pending { color: var(--muted); }
figure { margin: 16px 0 28px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
figcaption .note { font-weight: normal; color: var(--muted); font-size: .85rem; }
svg.chart { width: 100%; height: auto; font-size: 12px; font-family: inherit; }
svg.chart .plot-area { fill: #fbfcfd; stroke: #9aa3ad; }
svg.chart .tick line { stroke: #9aa3ad; }
svg.chart .tick line.grid { stroke: #e8ebef; }
svg.chart text { fill: var(--fg); }
svg.chart .axis-label { font-weight: 600; }
pre.log { background: #f6f8fa; border: 1px solid var(--line); padding: 10px; overflow-x: auto; font-size: 12.5px; line-height: 1.35; }
.muted { color: var(--muted); }
ul.warnings li { margin: 2px 0; overflow-wrap: anywhere; }
@media print { body { max-width: none; padding: 0; } pre.log { white-space: pre-wrap; } }
`;
