import { readLastLines } from "../../report/index.js";

/** What a tail reads at most, about: a log of one endless line must not be read into memory whole. */
const TAIL_MAX_BYTES = 256 * 1024 * 1024;

/**
 * The last `count` lines of a log as text, each ending with "\n"; read backwards from the end of the
 * file (the run report's reader), so a log of gigabytes costs the lines asked for, not the file. A line
 * longer than the share of the read bound each line gets (64 Ki characters for a short tail, down to
 * 256 for the longest) is cut and marked "…".
 */
export async function tailText(file: string, count: number): Promise<string> {
  const maxLineChars = Math.max(256, Math.min(64 * 1024, Math.floor((TAIL_MAX_BYTES / count - 1) / 4)));
  const { lines } = await readLastLines(file, count, { maxLineChars });
  return lines.length ? `${lines.join("\n")}\n` : "";
}
