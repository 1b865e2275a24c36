import { writePhaseLine } from "./phase-line.js";
import { openPlatformSession } from "./platform-session.js";
import type { Stage } from "./stage.js";

/**
 * With a host: creates the run node first, so that whatever fails after it is reported on the
 * platform. Then marks the run as started in state.txt (run-solver has laid out the work directory).
 */
export const initStage: Stage = {
  name: "init",
  async run(ctx) {
    const { platform } = ctx.options;
    if (platform) ctx.platform = await openPlatformSession(ctx, platform);
    await writePhaseLine(ctx, "initialization", 0, "running");
    return ctx.platform ? `run node ${ctx.runId} on ${ctx.platform.target.host}` : "native run (no host)";
  },
};
