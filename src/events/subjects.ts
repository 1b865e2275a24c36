/**
 * The event names of protocol.md part 5. Each is also its NATS subject, as is: `:` is an ordinary
 * subject character (only `.`, `*`, `>` and whitespace are special), and the platform's other
 * services publish and listen on these names, so a mapping would only break them.
 */
export const EVENT_SUBJECTS = [
  "geometry:uploaded",
  "geometry:parsed",
  "geometry:removed",
  "mesh:generated",
  "mesh:deleted",
  "run:started",
  "run:progress",
  "run:finished",
  "run:failed",
] as const;

export type EventSubject = (typeof EVENT_SUBJECTS)[number];

/** The JetStream stream that keeps every event subject; created (or completed) when missing. */
export const EVENTS_STREAM = "PHYSICSWORKS_EVENTS";

export function isEventSubject(value: string): value is EventSubject {
  return (EVENT_SUBJECTS as readonly string[]).includes(value);
}
