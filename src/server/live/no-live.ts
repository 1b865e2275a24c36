import type { LiveControl } from "../server-context.js";

/** socket.io switched off: an abort reaches nobody. */
export function noLive(): LiveControl {
  return { abortRun: () => 0, close: async () => undefined };
}
