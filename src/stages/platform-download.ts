import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { extname, join, relative } from "node:path";
import { extractArchive } from "../archive/index.js";
import { formatBytes } from "../log/format-bytes.js";
import { reportProgress } from "./phase-line.js";
import type { RunContext } from "./run-context.js";
import { runDataFiles } from "./run-data-files.js";
import type { PlatformSession } from "./platform-session.js";

/**
 * With a host: run data → inputs/*.json, the scripts archive → scripts/, the inputs archive → inputs/
 * (when config names inputsArchive), each mesh → raw/, linked into inputs/.
 */
export async function downloadFromPlatform(ctx: RunContext, session: PlatformSession): Promise<string> {
  const { client, target } = session;
  const { paths } = ctx;
  const data = await client.readRunData(target.project, target.simulation);
  for (const [name, value] of Object.entries(runDataFiles(data))) {
    await writeFile(join(paths.inputs, name), `${JSON.stringify(value ?? null, null, 2)}\n`);
  }
  const jobs: { label: string; run: () => Promise<number> }[] = [];
  const downloads = join(paths.debug, "downloads");
  await mkdir(downloads, { recursive: true });
  const { scripts, inputs } = data.physicsFeature;
  if (scripts) jobs.push({ label: "scripts", run: () => fetchAndUnpack(ctx, session, scripts, join(downloads, "scripts.archive"), paths.scripts) });
  if (inputs && ctx.options.inputsArchive !== undefined) {
    jobs.push({ label: "inputs", run: () => fetchAndUnpack(ctx, session, inputs, join(downloads, "inputs.archive"), paths.inputs) });
  }
  for (const mesh of data.simulation.meshes) {
    jobs.push({
      label: `mesh ${mesh.id}`,
      run: async () => {
        const ext = extname(mesh.rawMeshFile);
        const dest = join(paths.raw, `${mesh.id}${ext}`);
        const { bytes } = await client.downloadFile(mesh.rawMeshFile, dest);
        // Solvers written for the Python runner look for meshes in inputs/.
        const link = join(paths.inputs, `${mesh.id}${ext}`);
        await rm(link, { force: true });
        await symlink(relative(paths.inputs, dest), link);
        return bytes;
      },
    });
  }
  let total = 0;
  for (const [i, job] of jobs.entries()) {
    ctx.throwIfAborted();
    reportProgress(ctx, (10 * i) / Math.max(1, jobs.length), `downloading ${job.label} (${i + 1}/${jobs.length})`);
    total += await job.run();
  }
  return `run data, ${jobs.length} files (${formatBytes(total)})`;
}

async function fetchAndUnpack(ctx: RunContext, session: PlatformSession, fileId: string, archive: string, target: string): Promise<number> {
  const { bytes } = await session.client.downloadFile(fileId, archive);
  await extractArchive(archive, target, { maxTotalBytes: ctx.options.maxUnpackBytes });
  return bytes;
}
