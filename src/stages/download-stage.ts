import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { extractArchive } from "../archive/index.js";
import { ConfigError } from "../errors.js";
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
    if (scriptsArchive) notes.push(await unpack(ctx, scriptsArchive, ctx.paths.scripts, "scriptsArchive"));
    if (inputsArchive) notes.push(await unpack(ctx, inputsArchive, ctx.paths.inputs, "inputsArchive"));
    await writePhaseLine(ctx, "preprocessing", 10, "finished");
    return notes.length ? notes.join("; ") : "nothing to fetch: using scripts/ and inputs/ as they are";
  },
};

async function unpack(ctx: RunContext, archive: string, target: string, field: "scriptsArchive" | "inputsArchive"): Promise<string> {
  ctx.throwIfAborted();
  const label = basename(target);
  // What a user gets wrong in the field (a path that is not there, a folder) is told by its name.
  const where = `${ctx.options.configPath ?? "config"}: "${field}"`;
  const found = await stat(archive).catch((error: NodeJS.ErrnoException) => error);
  if (found instanceof Error) {
    const why = found.code === "ENOENT" ? "does not exist" : `cannot be read (${found.code ?? found.message})`;
    throw new ConfigError(`${where}: ${archive} ${why}; give the path of a .zip, .tar.gz or .tar (relative to the config file's folder)`);
  }
  if (!found.isFile()) throw new ConfigError(`${where}: ${archive} is a folder; give an archive (.zip, .tar.gz or .tar), or leave ${field} out and put the files in ${label}/`);
  ctx.emit({ type: "info", message: `unpacking ${archive} into ${label}/` });
  const { entries, bytes } = await extractArchive(archive, target, { maxTotalBytes: ctx.options.maxUnpackBytes });
  return `${label}: ${entries} entries, ${formatBytes(bytes)}`;
}
