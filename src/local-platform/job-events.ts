import type { Job, JobEvents, JobListener } from "./platform-types.js";

/**
 * Where job changes are announced. Listeners are called in order; one that throws is reported to
 * `onListenerError` and the others still hear the change: a broken socket must not stop the SSE
 * streams or the executor.
 */
export function createJobEvents(onListenerError: (error: unknown) => void = () => undefined): JobEvents {
  const listeners = new Set<JobListener>();
  return {
    emit(job: Job) {
      // A copy: a listener that stops listening while being called does not skip the next one.
      for (const listener of [...listeners]) {
        try {
          listener(job);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
    on(listener) {
      // Wrapped, so the same function added twice is two listeners and each unsubscribe removes one.
      const entry: JobListener = (job) => listener(job);
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
  };
}
