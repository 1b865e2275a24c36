import { readFile } from "node:fs/promises";
import { parseResultsCsv } from "../results/results-csv.js";
import { scanFiles } from "../upload/scan-outputs.js";
import { writePhaseLine } from "./phase-line.js";
import type { RunContext } from "./run-context.js";
import type { Stage } from "./stage.js";

/** Reads results.csv and takes stock of outputs/; runs after a failure too, so what was written is kept. */
export const postProcessStage: Stage = {
  name: "post-process",
  always: true,
  async run(ctx) {
    await writePhaseLine(ctx, "postprocessing", 90, "running");
    await readResults(ctx);
    ctx.state.outputs = [];
    for await (const file of scanFiles(ctx.paths.outputs)) {
      ctx.state.outputs.push({ path: file.path, size: file.size });
    }
    ctx.state.outputs.sort((a, b) => a.path.localeCompare(b.path));
    return `${ctx.state.results.length} results, ${ctx.state.outputs.length} output files`;
  },
};

async function readResults(ctx: RunContext): Promise<void> {
  let text: string;
  try {
    text = await readFile(ctx.paths.resultsCsv, "utf8");
  } catch {
    return; // no results.csv: a solver need not write one
  }
  const { results, warnings } = parseResultsCsv(text, "outputs/results.csv");
  ctx.state.results = results;
  warnings.forEach((w) => ctx.warn(w));
}
