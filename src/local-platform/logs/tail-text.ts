import { readLastLines } from "../../report/index.js";

/** A tail's line longer than this is cut and marked "…": what a tail reads stays bounded. */
const TAIL_LINE_CHARS = 64 * 1024;

/**
 * The last `count` lines of a log as text, each ending with "\n"; read backwards from the end of the
 * file (the run report's reader), so a log of gigabytes costs the lines asked for, not the file.
 */
export async function tailText(file: string, count: number): Promise<string> {
  const { lines } = await readLastLines(file, count, { maxLineChars: TAIL_LINE_CHARS });
  return lines.length ? `${lines.join("\n")}\n` : "";
}
