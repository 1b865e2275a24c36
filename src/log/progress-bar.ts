/** One line: a bar, the percentage, the label, cut to the terminal's width. */
export function renderProgressBar(progress: number, label: string, suffix: string, columns: number): string {
  const width = 24;
  const clamped = Math.max(0, Math.min(100, progress));
  const filled = Math.round((clamped / 100) * width);
  const bar = `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
  const pct = `${clamped.toFixed(1).padStart(5)}%`;
  const line = `${bar} ${pct} ${label}${suffix ? `  ${suffix}` : ""}`;
  const max = Math.max(20, columns - 1);
  return [...line].length > max ? [...line].slice(0, max - 1).join("") + "…" : line;
}
