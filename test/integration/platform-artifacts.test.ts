import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runSolver } from "../../src/index.js";
import type { RunNode, TreeNode } from "../../src/platform/types.js";
import { platformFields, writeConfig } from "../helpers/platform-run.js";
import { callServer, seedFile, seedRunData, startTestServer, type TestServer } from "../helpers/server.js";
import { useTempWorks } from "../helpers/work-dir.js";

const { work, tempDir } = useTempWorks();
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.cleanup()));
});

describe("post-processing on the platform", () => {
  it("sends the visualization archives, result.zip and the report with their run node entries", async () => {
    const s = await startTestServer();
    servers.push(s);
    await seedRunData(s.dataDir, "p1", "sim1", {
      simulation: { tree: {}, meshes: [] },
      materials: [],
      inputs: {},
      physicsFeature: { config: { downloadable: { basic: { outputs: { files: true } }, globs: ["outputs/*.json"] } } },
    });
    const w = await work("visualization.py");
    await writeConfig(w.configPath, platformFields(s, { workDir: ".", mainScript: "visualization.py" }));
    const result = await runSolver({ configPath: w.configPath });
    expect(result.status, result.error?.message).toBe("finished");

    const answer = (await (await callServer(s, "GET", `runs/${result.runId}`)).json()) as {
      node: RunNode;
      files: { filename: string; path?: string }[];
    };
    const updates = (await readFile(join(s.dataDir, "runs", result.runId, "updates.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { extras?: { gltf?: string } });
    const children = (slug: string) => (answer.node.children.find((c) => c.slug === slug)?.children ?? []) as TreeNode[];
    const graphics = children("graphics");
    const vtp = graphics.find((g) => g.slug === "vtp");
    const gltf = graphics.find((g) => g.slug === "gltf");
    expect(vtp).toMatchObject({ name: "VTP", simulationId: "sim1", value: { simulationFields: true, data: { filename: expect.stringMatching(/^vtp.+\.tar\.gz$/) } } });
    expect(gltf).toMatchObject({ value: { data: { filename: expect.stringMatching(/^gltf.+\.tar\.gz$/), type: "gltf", slug: "temperature", bBox: [0, 1, 0, 1, 0, 1] } } });
    expect(updates.some((u) => u.extras?.gltf === gltf?.id)).toBe(true);
    const stored = answer.files.map((f) => f.filename);
    expect(stored).toContain((vtp?.value as { data: { filename: string } }).data.filename);
    // The sources went into the archives, not one by one.
    expect(answer.files.map((f) => f.path)).not.toContain("files/field.vtp");
    expect(answer.files.map((f) => f.path)).not.toContain("graphics/scene.gltf");
    expect(answer.files.map((f) => f.path)).toContain("files/notes.txt");

    const zipEntry = children("downloadables").find((d) => d.slug === "result.zip");
    expect(zipEntry).toMatchObject({ name: "Result.zip", isFile: true, actions: { type: "command", list: [{ name: "Download", slug: "download" }] } });
    expect(stored).toContain(zipEntry?.filename);
    expect(children("media").find((m) => m.name === "report.html")).toMatchObject({ isMedia: true, mediaType: "html" });
    const report = await readFile(join(w.dir, "outputs/report.html"), "utf8");
    expect(report).toContain("finished");
  });

  it("takes a mesh and the scripts from the download cache on the second run on a node", async () => {
    const s = await startTestServer();
    servers.push(s);
    const cache = await tempDir("pw-cache-");
    const { execFileSync } = await import("node:child_process");
    const zip = join(cache, "..", `scripts-${Date.now()}.zip`);
    execFileSync("python3", ["-c", "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1],'w'); z.writestr('main.py','print(\"hi\")\\n'); z.close()", zip]);
    await seedFile(s.dataDir, "scripts-1", await readFile(zip));
    await seedFile(s.dataDir, "mesh-1.msh", "mesh bytes\n".repeat(1000));
    await seedRunData(s.dataDir, "p1", "sim1", {
      simulation: { tree: {}, meshes: [{ id: "m1", rawMeshFile: "mesh-1.msh" }] },
      materials: [],
      inputs: {},
      physicsFeature: { config: {}, scripts: "scripts-1" },
    });
    for (let i = 0; i < 2; i++) {
      const w = await work("hello.py");
      await writeConfig(w.configPath, platformFields(s, { workDir: "." }));
      const result = await runSolver({ configPath: w.configPath, env: { ...process.env, PHYSICSWORKS_CACHE_DIR: cache } });
      expect(result.status, result.error?.message).toBe("finished");
      expect(await readFile(join(w.dir, "raw/m1.msh"), "utf8")).toBe("mesh bytes\n".repeat(1000));
    }
    const log = await readFile(join(s.dataDir, "requests.jsonl"), "utf8");
    const downloads = log.split("\n").filter((l) => l.includes('"path":"/storage/runner/'));
    expect(downloads).toHaveLength(2); // the scripts once, the mesh once: the second run hit the cache
  });
});
