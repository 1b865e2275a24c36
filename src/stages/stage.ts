import type { RunContext } from "./run-context.js";
import type { StageName } from "./stage-names.js";

export interface StageControl {
  /** For a background stage: settles when the stage after it has ended (the solver is done). */
  foregroundDone: Promise<void>;
}

export interface Stage {
  name: StageName;
  /** Runs beside the stage that follows it, and is told when that one ends (watch beside execute). */
  background?: boolean;
  /** Runs even after an earlier stage failed or the run was aborted (post-processing keeps what was written). */
  always?: boolean;
  /** Returns an optional one-line note for the timing table. */
  run(ctx: RunContext, control: StageControl): Promise<string | void>;
}
