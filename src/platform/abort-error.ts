import { AbortError, abortMessage, type AbortReason } from "../errors.js";

/** The AbortError an aborted signal stands for: its own reason when that is one, else a user abort. */
export function abortErrorOf(signal: AbortSignal): AbortError {
  if (signal.reason instanceof AbortError) return signal.reason;
  const reason: AbortReason = "user";
  return new AbortError(reason, abortMessage(reason));
}
