import { PlatformError } from "../errors.js";
import type { RunContext } from "./run-context.js";
import { openPlatformSession } from "./platform-session.js";
import { syncCommandFor } from "./unsent-lines.js";
import { shownHost } from "../config/host-url.js";

/**
 * Opens the platform session of a run with a host, unless the run is offline. With
 * --offlineFallback, a platform that cannot be reached (no answer at all) makes the run go on
 * offline, to be sent later by `sync`; an answer that refuses (401, 404…) still fails the run.
 */
export async function connectPlatform(ctx: RunContext): Promise<void> {
  const { platform, offline, offlineFallback } = ctx.options;
  if (!platform || offline || ctx.platform) return;
  try {
    ctx.platform = await openPlatformSession(ctx, platform);
  } catch (error) {
    if (!offlineFallback || !unreachable(error)) throw error;
    ctx.warn(
      `the platform at ${shownHost(platform.host)} cannot be reached (${(error as Error).message}); running offline: ` +
        `send this run later with ${syncCommandFor(ctx.options.configPath)}`,
    );
  }
}

function unreachable(error: unknown): boolean {
  return error instanceof PlatformError && error.status === undefined;
}
