import { extractArchive } from "../archive/index.js";
import { formatBytes } from "../log/format-bytes.js";
import { writePhaseLine } from "./phase-line.js";
import { downloadFromPlatform } from "./platform-download.js";
import type { RunContext } from "./run-context.js";
import type { Stage } from "./stage.js";

/**
 * With a host, inputs come from the platform; natively, from the archives config.json names,
 * or they are already in the work directory.
 */
export const downloadStage: Stage = {
  name: "download",
  async run(ctx) {
    await writePhaseLine(ctx, "preprocessing", 0, "running");
    if (ctx.platform) {
      const note = await downloadFromPlatform(ctx, ctx.platform);
      await writePhaseLine(ctx, "preprocessing", 10, "finished");
      return note;
    }
    const notes: string[] = [];
    const { scriptsArchive, inputsArchive } = ctx.options;
    if (scriptsArchive) notes.push(await unpack(ctx, scriptsArchive, ctx.paths.scripts, "scripts"));
    if (inputsArchive) notes.push(await unpack(ctx, inputsArchive, ctx.paths.inputs, "inputs"));
    await writePhaseLine(ctx, "preprocessing", 10, "finished");
    return notes.length ? notes.join("; ") : "nothing to fetch: using scripts/ and inputs/ as they are";
  },
};

async function unpack(ctx: RunContext, archive: string, target: string, label: string): Promise<string> {
  ctx.throwIfAborted();
  ctx.emit({ type: "info", message: `unpacking ${archive} into ${label}/` });
  const { entries, bytes } = await extractArchive(archive, target, { maxTotalBytes: ctx.options.maxUnpackBytes });
  return `${label}: ${entries} entries, ${formatBytes(bytes)}`;
}
