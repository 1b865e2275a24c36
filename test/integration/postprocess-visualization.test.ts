import { execFileSync } from "node:child_process";
import { mkdir, stat, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildVisualizationArchives, isVisualizationSource } from "../../src/postprocess/index.js";
import { useTempWorks } from "../helpers/work-dir.js";

const { tempDir } = useTempWorks();

async function put(root: string, path: string, content: string | Buffer): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

/** The archive's entries as GNU tar lists them (an independent reader). */
function tarEntries(path: string): string[] {
  return execFileSync("tar", ["-tzf", path], { encoding: "utf8" }).split("\n").filter(Boolean).sort();
}

function tarFile(archive: string, entry: string): string {
  return execFileSync("tar", ["-xzOf", archive, entry], { encoding: "utf8" });
}

const GLTF = {
  asset: { version: "2.0" },
  buffers: [{ uri: "scene.bin", byteLength: 4 }, { uri: "data:application/octet-stream;base64,AAAA" }],
  images: [{ uri: "tex/wood%20grain.png" }, { uri: "https://example.com/remote.png" }, { uri: "../../../etc/passwd" }, { uri: "gone.png" }],
};

describe("buildVisualizationArchives()", () => {
  it("packs every vtp into one archive and every gltf with what it references into another", async () => {
    const workDir = await tempDir("pw-vis-");
    const out = (p: string) => join("outputs", p);
    await put(workDir, out("a.vtp"), "<VTKFile a/>");
    await put(workDir, out("files/t/@t1.vtp"), "<VTKFile t1/>");
    await put(workDir, out(".hidden/h.vtp"), "hidden");
    await put(workDir, out("graphics/scene.gltf"), JSON.stringify(GLTF));
    await put(workDir, out("graphics/scene.bin"), Buffer.from([1, 2, 3, 4]));
    await put(workDir, out("graphics/tex/wood grain.png"), "png bytes");
    await put(workDir, out("graphics/unrelated.png"), "not referenced");
    await put(workDir, out("model.gltf"), "{}"); // not under files/ or graphics/: an ordinary file
    await put(workDir, out("pvbatch_output.json"), JSON.stringify({ type: "scene", slug: "temperature", items: [{ name: "T" }], bBox: [0, 1, 0, 1, 0, 1], other: 1 }));
    const outside = await tempDir("pw-outside-");
    await put(outside, "x.vtp", "outside");
    await symlink(join(outside, "x.vtp"), join(workDir, out("leak.vtp")));

    const { archives, warnings } = await buildVisualizationArchives({ workDir, simulation: "sim-1", runId: "run-1" });
    expect(archives.map((a) => a.kind)).toEqual(["vtp", "gltf"]);
    const [vtp, gltf] = archives;
    if (!vtp || !gltf) throw new Error("two archives expected");

    expect(vtp.storedName).toBe(`vtp${vtp.entry.id}.tar.gz`);
    expect(vtp.archivePath).toBe(join(workDir, "debug/staging", vtp.storedName));
    expect(vtp.files).toEqual(["a.vtp", "files/t/@t1.vtp"]);
    expect(tarEntries(vtp.archivePath)).toEqual(["a.vtp", "files/t/@t1.vtp"]);
    expect(tarFile(vtp.archivePath, "files/t/@t1.vtp")).toBe("<VTKFile t1/>");
    expect(vtp.entry).toEqual({
      id: vtp.entry.id,
      name: "VTP",
      slug: "vtp",
      simulationId: "sim-1",
      value: { id: vtp.entry.id, title: "VTP", slug: "vtp", simulationFields: true, data: { filename: vtp.storedName } },
    });
    expect(vtp.extras).toBeUndefined();

    expect(gltf.storedName).toMatch(/^gltf[0-9a-f-]{36}\.tar\.gz$/);
    expect(tarEntries(gltf.archivePath)).toEqual(["graphics/scene.bin", "graphics/scene.gltf", "graphics/tex/wood grain.png"]);
    expect(gltf.entry.value).toEqual({
      id: gltf.entry.id,
      title: "GLTF",
      slug: "gltf",
      simulationFields: true,
      data: { filename: gltf.storedName, type: "scene", slug: "temperature", items: [{ name: "T" }], bBox: [0, 1, 0, 1, 0, 1] },
    });
    expect(gltf.extras).toEqual({ gltf: gltf.entry.id });
    expect(warnings).toEqual([
      'outputs/graphics/scene.gltf: reference "../../../etc/passwd" points outside outputs/; left out',
      "outputs/graphics/scene.gltf: references graphics/gone.png, which does not exist; left out",
    ]);
  });

  it("makes nothing when there is nothing to show, and says when pvbatch output describes nothing", async () => {
    const workDir = await tempDir("pw-vis-");
    await put(workDir, "outputs/results.csv", "a\n1\n");
    expect(await buildVisualizationArchives({ workDir, simulation: "s", runId: "run-1" })).toEqual({ archives: [], warnings: [] });
    await put(workDir, "outputs/pvbatch_output.json", "{ not json");
    const bad = await buildVisualizationArchives({ workDir, simulation: "s", runId: "run-1" });
    expect(bad.archives).toEqual([]);
    expect(bad.warnings[0]).toMatch(/^outputs\/pvbatch_output\.json: not valid JSON/);
    await put(workDir, "outputs/pvbatch_output.json", JSON.stringify({ type: "scene" }));
    const lone = await buildVisualizationArchives({ workDir, simulation: "s", runId: "run-1" });
    expect(lone.warnings).toEqual([
      "outputs/pvbatch_output.json: has no slug, items, bBox",
      "outputs/pvbatch_output.json is there but no *.gltf under outputs/files/ or outputs/graphics/; it describes nothing",
    ]);
    await expect(stat(join(workDir, "debug/staging"))).rejects.toThrow(/ENOENT/);
  });
});

describe("isVisualizationSource()", () => {
  it("tells the uploader which files the archives take", () => {
    expect(isVisualizationSource("a.vtp")).toBe(true);
    expect(isVisualizationSource("deep/er/B.VTP")).toBe(true);
    expect(isVisualizationSource("graphics/scene.gltf")).toBe(true);
    expect(isVisualizationSource("files/x/scene.gltf")).toBe(true);
    expect(isVisualizationSource("scene.gltf")).toBe(false);
    expect(isVisualizationSource("plots/scene.gltf")).toBe(false);
    expect(isVisualizationSource("graphics/scene.bin")).toBe(false);
    expect(isVisualizationSource(".hidden/a.vtp")).toBe(false);
  });
});
