import { nanos, type JetStreamManager, type StreamInfo } from "nats";
import { PlatformError } from "../errors.js";
import { EVENT_SUBJECTS } from "./subjects.js";

/** Events older than this leave the stream (created here only when missing; an operator's stream keeps its limits). */
export const EVENTS_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/**
 * Makes sure `name` exists and keeps every event subject: creates it when missing, adds the
 * subjects it lacks when it exists. Listeners need the stream; publishing to a subject no stream
 * keeps would fail with "no responders".
 */
export async function ensureEventsStream(jsm: JetStreamManager, name: string): Promise<StreamInfo> {
  let info: StreamInfo | undefined;
  try {
    info = await jsm.streams.info(name);
  } catch (error) {
    if (!isNotFound(error)) throw streamError(name, "cannot be read", error);
  }
  if (!info) {
    try {
      return await jsm.streams.add({ name, subjects: [...EVENT_SUBJECTS], max_age: nanos(EVENTS_MAX_AGE_MS) });
    } catch (error) {
      // Another client created it meanwhile: use theirs.
      if (/already in use|already exists/i.test(String(error))) return jsm.streams.info(name);
      throw streamError(name, "cannot be created", error);
    }
  }
  const missing = EVENT_SUBJECTS.filter((s) => !info.config.subjects.includes(s));
  if (missing.length === 0) return info;
  try {
    return await jsm.streams.update(name, { ...info.config, subjects: [...info.config.subjects, ...missing] });
  } catch (error) {
    throw streamError(name, `lacks the subjects ${missing.join(", ")} and cannot be updated`, error);
  }
}

export function isNotFound(error: unknown): boolean {
  const e = error as { code?: string; api_error?: { code?: number } };
  return e?.code === "404" || e?.api_error?.code === 404 || /not found/i.test(String((error as Error)?.message));
}

/** A JetStream API failure, as a PlatformError with a hint when the server has no JetStream. */
export function streamError(name: string, what: string, error: unknown): PlatformError {
  const message = error instanceof Error ? error.message : String(error);
  const hint = /503|not enabled|no responders/i.test(message) ? " (JetStream is not enabled on that server: start it with `nats-server -js`)" : "";
  return new PlatformError(`JetStream stream ${name} ${what}: ${message}${hint}`, { cause: error });
}
