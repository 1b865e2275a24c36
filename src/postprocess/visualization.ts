/**
 * The platform's 3-D views (protocol.md, "Where each output goes"): every *.vtp under outputs/ goes into one
 * `vtp<uuid>.tar.gz`, every *.gltf under outputs/files/ or outputs/graphics/, with the .bin and textures
 * it references, into one `gltf<uuid>.tar.gz`. Entries are named relative to outputs/, so a gltf's relative
 * references still resolve once unpacked. The archives are built under debug/ and uploaded from there.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { TreeNode } from "../platform/types.js";
import { gltfReferences } from "./gltf-references.js";
import { InsideTree } from "./inside-tree.js";
import { PVBATCH_OUTPUT, readPvbatchOutput } from "./pvbatch-output.js";
import { graphicsEntry, type VisualizationKind } from "./run-node-entries.js";
import { runEntryId } from "./run-entry-id.js";
import { stagingDirOf } from "./staging.js";
import { writeTarGz } from "./tar-writer.js";

/**
 * True for a file (path relative to outputs/, "/"-separated) that goes into a visualization archive
 * rather than being uploaded on its own. A gltf's .bin and textures are only known once the gltf is read:
 * they are in `VisualizationArchive.files`.
 */
export function isVisualizationSource(path: string): boolean {
  const parts = path.split("/");
  if (parts.some((p) => p.startsWith("."))) return false; // hidden: the uploader skips it, so do we
  const name = (parts[parts.length - 1] ?? "").toLowerCase();
  if (name.endsWith(".vtp")) return true;
  return name.endsWith(".gltf") && parts.length > 1 && (parts[0] === "files" || parts[0] === "graphics");
}

export interface VisualizationArchive {
  kind: VisualizationKind;
  /** The built archive under debug/: upload it from here (storage/chunks or v2). */
  archivePath: string;
  /** `vtp<uuid>.tar.gz` / `gltf<uuid>.tar.gz`: the filename to store it under. */
  storedName: string;
  /** The `graphics` child of the run node. */
  entry: TreeNode & { id: string };
  /** For the gltf archive: what the run update carries (`extras: {gltf: <child id>}`). */
  extras?: { gltf: string };
  /** What went in, relative to outputs/: leave these to the archive, not to the uploader. */
  files: string[];
}

export interface BuildVisualizationOptions {
  workDir: string;
  /** The platform's simulation id, for the run node entries. */
  simulation: string;
  /**
   * The run node's id (a native run's own): each archive's entry id and stored name derive from
   * it (runEntryId), so that an archive sent again, by a resumed run or a sync, is the same entry.
   */
  runId: string;
  /** Default `<workDir>/debug/staging`. */
  stagingDir?: string;
  /** Checked between archives: a tar in progress runs to its end. */
  signal?: AbortSignal;
}

export interface VisualizationBuild {
  archives: VisualizationArchive[];
  warnings: string[];
}

export async function buildVisualizationArchives(options: BuildVisualizationOptions): Promise<VisualizationBuild> {
  const outputs = join(options.workDir, "outputs");
  const stagingDir = options.stagingDir ?? stagingDirOf(options.workDir);
  const warnings: string[] = [];
  const { vtp, gltf } = await findSources(outputs);
  const archives: VisualizationArchive[] = [];

  if (vtp.length) {
    options.signal?.throwIfAborted();
    archives.push(await pack("vtp", vtp, {}, outputs, stagingDir, options));
  }
  const pvbatch = await readPvbatchOutput(join(outputs, PVBATCH_OUTPUT));
  warnings.push(...pvbatch.warnings);
  if (gltf.length) {
    options.signal?.throwIfAborted();
    const files = await withReferences(gltf, outputs, warnings);
    const archive = await pack("gltf", files, pvbatch.data ?? {}, outputs, stagingDir, options);
    archives.push({ ...archive, extras: { gltf: archive.entry.id } });
  } else if (pvbatch.data) {
    warnings.push(`outputs/${PVBATCH_OUTPUT} is there but no *.gltf under outputs/files/ or outputs/graphics/; it describes nothing`);
  }
  return { archives, warnings };
}

async function findSources(outputs: string): Promise<{ vtp: string[]; gltf: string[] }> {
  const tree = await InsideTree.open(outputs);
  const vtp: string[] = [];
  const gltf: string[] = [];
  const hidden = (path: string): boolean => path.split("/").some((p) => p.startsWith("."));
  const root = await tree.lookup("");
  if (root.kind !== "folder") return { vtp, gltf };
  for await (const file of tree.files(root.real, "", hidden, isVisualizationSource)) {
    (file.path.toLowerCase().endsWith(".vtp") ? vtp : gltf).push(file.path);
  }
  return { vtp: vtp.sort(), gltf: gltf.sort() };
}

/** The gltfs and every file they reference that exists inside outputs/, each once. */
async function withReferences(gltfs: string[], outputs: string, warnings: string[]): Promise<string[]> {
  const tree = await InsideTree.open(outputs);
  const files = new Set(gltfs);
  for (const gltf of gltfs) {
    const self = await tree.lookup(gltf);
    if (self.kind !== "file") continue;
    const refs = await gltfReferences(gltf, self.file.source);
    warnings.push(...refs.warnings);
    for (const ref of refs.files) {
      const found = await tree.lookup(ref);
      if (found.kind === "file") files.add(ref);
      else warnings.push(`outputs/${gltf}: references ${ref}, which ${found.kind === "missing" ? "does not exist" : "is not a file inside outputs/"}; left out`);
    }
  }
  return [...files].sort();
}

async function pack(
  kind: VisualizationKind,
  files: string[],
  data: Record<string, unknown>,
  outputs: string,
  stagingDir: string,
  { simulation, runId }: Pick<BuildVisualizationOptions, "simulation" | "runId">,
): Promise<VisualizationArchive> {
  await mkdir(stagingDir, { recursive: true });
  const id = runEntryId(runId, `${kind} archive`);
  const storedName = `${kind}${id}.tar.gz`;
  const archivePath = join(stagingDir, storedName);
  try {
    await writeTarGz(outputs, files, archivePath);
  } catch (error) {
    await rm(archivePath, { force: true });
    throw error;
  }
  return { kind, archivePath, storedName, entry: graphicsEntry(kind, id, storedName, simulation, data), files };
}
