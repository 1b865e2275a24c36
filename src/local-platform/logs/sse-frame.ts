/**
 * Server-Sent Events framing (the WHATWG EventSource format). A line break inside a field would end
 * the field early, and a client reads "\r" as a line break as much as "\n": every value is split
 * into one `data:` line per line, and a lone "\r" inside a log line (a terminal's progress bar)
 * becomes U+FFFD, as the run report shows control characters.
 */

/** `event: <name>` and one `data:` per line of `lines`; EventSource joins them with "\n". */
export function sseEvent(name: string, lines: readonly string[]): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new TypeError(`sseEvent: event name ${JSON.stringify(name)} must be letters, digits, "_" or "-"`);
  let frame = `event: ${name}\n`;
  for (const line of lines) frame += `data: ${line.replace(/\r/g, "\ufffd").replace(/\n/g, "\ufffd")}\n`;
  return `${frame}\n`;
}

/** An event whose data is a JSON value (one line: JSON.stringify escapes line breaks). */
export function sseJson(name: string, value: unknown): string {
  return sseEvent(name, [JSON.stringify(value)]);
}

/** A comment line: the client ignores it; proxies see traffic. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]/g, " ")}\n\n`;
}

/**
 * Lines into `event: log` frames of at most `maxLines` lines and about `maxBytes` bytes each, so a
 * large stored log goes out in pieces the client can show as they come.
 */
export function logFrames(lines: readonly string[], maxLines = 500, maxBytes = 64 * 1024): string[] {
  const frames: string[] = [];
  let batch: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    batch.push(line);
    bytes += line.length + 7;
    if (batch.length >= maxLines || bytes >= maxBytes) {
      frames.push(sseEvent("log", batch));
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length) frames.push(sseEvent("log", batch));
  return frames;
}
