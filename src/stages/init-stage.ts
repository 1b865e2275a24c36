import { writePhaseLine } from "./phase-line.js";
import { connectPlatform } from "./connect-platform.js";
import type { Stage } from "./stage.js";
import { shownHost } from "../config/host-url.js";

/**
 * With a host: creates the run node first, so that whatever fails after it is reported on the
 * platform. Then marks the run as started in state.txt (run-solver has laid out the work directory).
 */
export const initStage: Stage = {
  name: "init",
  async run(ctx) {
    await connectPlatform(ctx);
    await writePhaseLine(ctx, "initialization", 0, "running");
    if (ctx.platform) return `run node ${ctx.runId} ${ctx.platform.resumed ? "resumed" : "created"} on ${shownHost(ctx.platform.target.host)}`;
    return ctx.options.platform ? "offline: send the run later with sync" : "native run (no host)";
  },
};
