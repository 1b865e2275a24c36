import { writePhaseLine } from "./phase-line.js";
import type { Stage } from "./stage.js";

/** Marks the run as started in state.txt (run-solver has laid out the work directory already). */
export const initStage: Stage = {
  name: "init",
  async run(ctx) {
    await writePhaseLine(ctx, "initialization", 0, "running");
    return ctx.options.platform ? undefined : "native run (no host)";
  },
};
