import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { extname, join, relative } from "node:path";
import { extractArchive } from "../archive/index.js";
import { createDownloadCache } from "../download-cache/index.js";
import { PlatformError } from "../errors.js";
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
  // Copies, not hard links: a solver that edits its mesh in raw/ must not change the cached one.
  const cache = createDownloadCache({ env: ctx.options.baseEnv, link: false });
  let label = "";
  let lastShown = 0;
  const onProgress = (bytes: number, total?: number) => {
    const now = Date.now();
    if (now - lastShown < 250) return;
    lastShown = now;
    reportProgress(ctx, ctx.state.progress, `${label} ${formatBytes(bytes)}${total ? `/${formatBytes(total)}` : ""}`);
  };
  const fetch = async (fileId: string, dest: string) => {
    const { bytes, hit } = await cache.fetch(fileId, dest, (tmp) => client.downloadFile(fileId, tmp, { onProgress }));
    if (hit) ctx.emit({ type: "info", message: `file ${fileId} taken from the download cache ${cache.dir}` });
    return bytes;
  };
  const data = await client.readRunData(target.project, target.simulation);
  for (const [name, value] of Object.entries(runDataFiles(data))) {
    await writeFile(join(paths.inputs, name), `${JSON.stringify(value ?? null, null, 2)}\n`);
  }
  const jobs: { label: string; run: () => Promise<number> }[] = [];
  const downloads = join(paths.debug, "downloads");
  await mkdir(downloads, { recursive: true });
  const { scripts, inputs } = data.physicsFeature;
  const unpack = async (fileId: string, archive: string, target: string) => {
    const bytes = await fetch(fileId, archive);
    await extractArchive(archive, target, { maxTotalBytes: ctx.options.maxUnpackBytes });
    return bytes;
  };
  if (scripts) jobs.push({ label: "scripts", run: () => unpack(scripts, join(downloads, "scripts.archive"), paths.scripts) });
  if (inputs && ctx.options.inputsArchive !== undefined) {
    jobs.push({ label: "inputs", run: () => unpack(inputs, join(downloads, "inputs.archive"), paths.inputs) });
  }
  for (const mesh of data.simulation.meshes) {
    // The platform's ids become file names under raw/ and inputs/: never a path out of them.
    if (!/^[\w.-]{1,200}$/.test(mesh.id) || mesh.id === "." || mesh.id === "..") {
      throw new PlatformError(`read run data: mesh id ${JSON.stringify(mesh.id.slice(0, 80))} is not a plain file name; refused`);
    }
    jobs.push({
      label: `mesh ${mesh.id}`,
      run: async () => {
        const ext = extname(mesh.rawMeshFile);
        const dest = join(paths.raw, `${mesh.id}${ext}`);
        const bytes = await fetch(mesh.rawMeshFile, dest);
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
    label = `downloading ${job.label} (${i + 1}/${jobs.length})`;
    reportProgress(ctx, (10 * i) / Math.max(1, jobs.length), label);
    total += await job.run();
  }
  return `run data, ${jobs.length} files (${formatBytes(total)})`;
}
