// A plot CSV (outputs/plots/*.csv) as lines to draw, with the runner's report's conventions
// (src/report/csv-series.ts): the first column is x, every other column with numbers in it is a line;
// a header is a first line with a field that is not a number; an x that is not a number on the first
// row (a date, a label) makes x the row number; an empty or non-numeric cell breaks the line.

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eEdD][+-]?\d+)?$/;
const MAX_SERIES = 12;

/** A number as solvers write them, Fortran's 1.0D+03 included; anything else is NaN. */
export function parseNumber(cell) {
  const text = cell?.trim() ?? "";
  return NUMBER.test(text) ? Number(text.replace(/[dD]/, "e")) : NaN;
}

/** One line's fields: commas split, double quotes group (`""` is a quote). */
export function csvFields(line) {
  const fields = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (line[i + 1] === '"') field += line[++i];
      else quoted = false;
    } else if (c === '"' && field.trim() === "") {
      quoted = true;
      field = "";
    } else if (c === ",") {
      fields.push(field);
      field = "";
    } else {
      field += c;
    }
  }
  fields.push(field);
  return fields;
}

/**
 * `{xLabel, yLabel, series: [{name, points: ({x, y} | null)[]}], notes}`, or null when there is no
 * line to draw. Rows are sampled evenly down to `maxPoints` (the same rows for every line). A file
 * still being written (`complete` false) may end in half a line: that line is left out.
 */
export function csvSeries(text, { maxPoints = 2000, complete = true } = {}) {
  let lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (!complete && !/\n$/.test(text)) lines.pop();
  lines = lines.filter((line) => line.trim() !== "");
  if (lines.length === 0) return null;

  const first = csvFields(lines[0]);
  const header = first.some((f) => f.trim() !== "" && Number.isNaN(parseNumber(f)));
  const names = header ? first.map((f, i) => f.trim() || `column ${i + 1}`) : first.map((_, i) => (i === 0 ? "x" : `column ${i + 1}`));
  const rows = header ? lines.slice(1) : lines;
  if (rows.length === 0) return null;
  const xByRow = Number.isNaN(parseNumber(csvFields(rows[0])[0]));

  const series = names.slice(1).map((name) => ({ name, points: [], count: 0 }));
  for (const index of evenRows(rows.length, maxPoints)) {
    const fields = csvFields(rows[index]);
    const x = xByRow ? index + 1 : parseNumber(fields[0]);
    series.forEach((s, i) => {
      const y = parseNumber(fields[i + 1]);
      if (Number.isFinite(x) && Number.isFinite(y)) {
        s.points.push({ x, y });
        s.count++;
      } else if (s.points.length && s.points.at(-1) !== null) {
        s.points.push(null);
      }
    });
  }
  const numeric = series.filter((s) => s.count > 0);
  if (numeric.length === 0) return null;
  const shown = numeric.slice(0, MAX_SERIES).map(({ name, points }) => ({ name, points: points.at(-1) === null ? points.slice(0, -1) : points }));
  const notes = [];
  if (numeric.length > shown.length) notes.push(`the first ${shown.length} of ${numeric.length} columns are drawn`);
  if (rows.length > maxPoints) notes.push(`${maxPoints} of ${rows.length} rows are drawn, evenly spaced`);
  return { xLabel: xByRow ? "row" : names[0], yLabel: shown.length === 1 ? shown[0].name : "", series: shown, notes };
}

/** Row indices, all of them or `max` evenly spaced from the first to the last. */
function evenRows(count, max) {
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.round((i * (count - 1)) / (max - 1)));
}
