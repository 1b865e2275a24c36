import { downloadStage } from "./download-stage.js";
import { executeStage } from "./execute-stage.js";
import { initStage } from "./init-stage.js";
import { postProcessStage } from "./post-process-stage.js";
import type { Stage } from "./stage.js";
import { watchStage } from "./watch-stage.js";

/** The stages in the order they run; the names match STAGE_NAMES. */
export const ALL_STAGES: readonly Stage[] = [initStage, downloadStage, watchStage, executeStage, postProcessStage];
