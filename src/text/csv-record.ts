/**
 * A small RFC 4180 reader for the two CSV files a solver writes (state.txt lines
 * and results.csv). Solvers write these by hand, so it is tolerant: it never
 * throws, an unclosed quote takes the rest of the text, a quote in the middle of
 * an unquoted field is a literal character, and whitespace before an opening
 * quote (`1, "a,b"`) is allowed.
 */

export interface CsvRecord {
  fields: string[];
  /** The 1-based line of the text on which the record starts. */
  line: number;
}

/** All records of a CSV text; blank lines are skipped, a trailing newline adds no record. */
export function parseCsvRecords(text: string): string[][] {
  return readCsvRecords(text).map((record) => record.fields);
}

/** Like parseCsvRecords, with the line each record starts on (for warnings). */
export function readCsvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (pos < text.length) {
    const scan = scanRecord(text, pos, true);
    if (!isBlank(scan)) records.push({ fields: scan.fields, line });
    line += scan.newlines;
    pos = scan.end;
  }
  return records;
}

/**
 * One line as one record. A line ending (LF or CRLF) at its end is dropped; any
 * other newline is part of a field. An empty line is one empty field.
 */
export function parseCsvLine(line: string): string[] {
  const end = line.endsWith("\r\n") ? line.length - 2 : line.endsWith("\n") ? line.length - 1 : line.length;
  return scanRecord(line.slice(0, end), 0, false).fields;
}

interface Scan {
  fields: string[];
  /** Where the next record starts. */
  end: number;
  /** Line endings consumed, inside quotes and the one ending the record. */
  newlines: number;
  anyQuoted: boolean;
}

function isBlank(scan: Scan): boolean {
  return !scan.anyQuoted && scan.fields.length === 1 && (scan.fields[0] ?? "").trim() === "";
}

/** Every branch consumes at least one character or ends the record, so it always terminates. */
function scanRecord(text: string, start: number, newlineEndsRecord: boolean): Scan {
  const fields: string[] = [];
  let pos = start;
  let newlines = 0;
  let anyQuoted = false;

  for (;;) {
    let field = "";
    const quoteAt = openingQuote(text, pos);
    if (quoteAt >= 0) {
      anyQuoted = true;
      pos = quoteAt + 1;
      for (;;) {
        const close = text.indexOf('"', pos);
        if (close < 0) {
          // Unclosed: the rest of the text is the field.
          field += text.slice(pos);
          newlines += countNewlines(text, pos, text.length);
          pos = text.length;
          break;
        }
        field += text.slice(pos, close);
        newlines += countNewlines(text, pos, close);
        if (text[close + 1] === '"') {
          field += '"';
          pos = close + 2;
        } else {
          pos = close + 1;
          break;
        }
      }
    }
    // Unquoted content, or what trails a closing quote: kept literally up to the separator.
    const stop = findSeparator(text, pos, newlineEndsRecord);
    field += text.slice(pos, stop);
    pos = stop;
    fields.push(field);

    if (text[pos] === ",") {
      pos += 1;
      continue;
    }
    if (pos < text.length) {
      // A line ending: CRLF, LF or a lone CR.
      pos += text[pos] === "\r" && text[pos + 1] === "\n" ? 2 : 1;
      newlines += 1;
    }
    return { fields, end: pos, newlines, anyQuoted };
  }
}

/** The index of the quote opening a field at `pos` (after optional spaces or tabs), or -1. */
function openingQuote(text: string, pos: number): number {
  let i = pos;
  while (text[i] === " " || text[i] === "\t") i += 1;
  return text[i] === '"' ? i : -1;
}

function findSeparator(text: string, pos: number, newlineEndsRecord: boolean): number {
  for (let i = pos; i < text.length; i += 1) {
    const c = text[i];
    if (c === ",") return i;
    if (newlineEndsRecord && (c === "\n" || c === "\r")) return i;
  }
  return text.length;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i += 1) {
    const c = text[i];
    if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) count += 1;
  }
  return count;
}
