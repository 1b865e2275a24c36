import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readdir, stat, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildResultZip, resultZipEntry } from "../../src/postprocess/index.js";
import { useTempWorks } from "../helpers/work-dir.js";

const { tempDir } = useTempWorks();

async function put(root: string, path: string, content: string | Buffer): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

/** The zip as an independent reader sees it: python3's zipfile checks every CRC and gives the contents. */
function readZip(path: string): Record<string, string> {
  const script = [
    "import sys, zipfile, json, hashlib",
    "z = zipfile.ZipFile(sys.argv[1])",
    "bad = z.testzip()",
    "assert bad is None, bad",
    "print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))",
  ].join("\n");
  return JSON.parse(execFileSync("python3", ["-c", script, path], { encoding: "utf8" })) as Record<string, string>;
}

function sha256(content: string | Buffer): string {
  return execFileSync("python3", ["-c", "import sys,hashlib; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())"], { input: content, encoding: "utf8" }).trim();
}

describe("buildResultZip()", () => {
  it("zips what basic and globs name, by path below workDir, and nothing outside it", async () => {
    const workDir = await tempDir("pw-zip-");
    const outside = await tempDir("pw-outside-");
    await put(outside, "secret.txt", "not yours");
    const big = randomBytes(3 * 1024 * 1024);
    await put(workDir, "config.json", JSON.stringify({ token: "s3cret" }));
    await put(workDir, "outputs/plots/a.csv", "t,T\n0,1\n");
    await put(workDir, "outputs/plots/sub/b.csv", "x,y\n1,2\n");
    await put(workDir, "outputs/results.csv", "energy\n1.5\n");
    await put(workDir, "outputs/logs/main.log", "hello\n");
    await put(workDir, "outputs/files/big.bin", big);
    await put(workDir, "outputs/result.zip", "stale zip of an earlier run");
    await put(workDir, "debug/staging/result-old.zip.part", "half a zip");
    await symlink(join(outside, "secret.txt"), join(workDir, "outputs/plots/leak.txt"));
    await symlink(outside, join(workDir, "outputs/plots/outdir"));
    await symlink("../results.csv", join(workDir, "outputs/plots/inner.csv"));

    const { zip, warnings } = await buildResultZip({
      workDir,
      downloadable: {
        basic: { outputs: { plots: true, "results.csv": true, missing: true }, "config.json": true },
        globs: ["outputs/**/*.log", "**/*.bin", "debug/**", 5],
      },
    });

    expect(zip).toBeDefined();
    expect(zip?.path).toBe(join(workDir, "outputs/result.zip"));
    expect(zip?.files).toEqual([
      "outputs/files/big.bin",
      "outputs/logs/main.log",
      "outputs/plots/a.csv",
      "outputs/plots/inner.csv",
      "outputs/plots/sub/b.csv",
      "outputs/results.csv",
    ]);
    expect(zip?.bytes).toBe((await stat(join(workDir, "outputs/result.zip"))).size);
    const entries = readZip(join(workDir, "outputs/result.zip"));
    expect(Object.keys(entries).sort()).toEqual(zip?.files);
    expect(entries["outputs/files/big.bin"]).toBe(sha256(big));
    expect(entries["outputs/plots/inner.csv"]).toBe(sha256("energy\n1.5\n"));
    expect(warnings).toEqual([
      "solverConfig.downloadable.globs[3] must be a string (got 5); ignored",
      "solverConfig.downloadable.basic: outputs/missing does not exist; nothing taken from it",
      'solverConfig.downloadable.globs: "debug/**" matches no file',
      "config.json is never put into result.zip: it holds the platform token",
    ]);
    // The staging file of this build is gone; the stranger's leftover is not ours to touch.
    expect(await readdir(join(workDir, "debug/staging"))).toEqual(["result-old.zip.part"]);
  });

  it("names a basic path that leads out through a symlink, and takes nothing from it", async () => {
    const workDir = await tempDir("pw-zip-");
    const outside = await tempDir("pw-outside-");
    await put(outside, "secret.txt", "not yours");
    await mkdir(join(workDir, "outputs"), { recursive: true });
    await symlink(outside, join(workDir, "outputs/link-out"));
    const { zip, warnings } = await buildResultZip({ workDir, downloadable: { basic: { outputs: { "link-out": true } } } });
    expect(zip).toBeUndefined();
    expect(warnings).toEqual(["solverConfig.downloadable.basic: outputs/link-out is left out: it leads out of the folder through a symlink"]);
  });

  it("makes no zip when nothing matches, or there is no spec", async () => {
    const workDir = await tempDir("pw-zip-");
    await put(workDir, "outputs/results.csv", "a\n1\n");
    expect(await buildResultZip({ workDir, downloadable: undefined })).toEqual({ zip: undefined, warnings: [] });
    const none = await buildResultZip({ workDir, downloadable: { globs: ["outputs/*.vtk"] } });
    expect(none.zip).toBeUndefined();
    await expect(stat(join(workDir, "outputs/result.zip"))).rejects.toThrow(/ENOENT/);
  });

  it("stops when aborted, leaving neither a staging file nor a result.zip", async () => {
    const workDir = await tempDir("pw-zip-");
    await put(workDir, "outputs/files/big.bin", randomBytes(8 * 1024 * 1024));
    const controller = new AbortController();
    controller.abort();
    await expect(buildResultZip({ workDir, downloadable: { globs: ["outputs/**"] }, signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(await readdir(join(workDir, "debug/staging"))).toEqual([]);
    await expect(stat(join(workDir, "outputs/result.zip"))).rejects.toThrow(/ENOENT/);
  });

  it("stores what is already compressed and deflates the rest at the level asked", async () => {
    const workDir = await tempDir("pw-zip-");
    await put(workDir, "outputs/media/pic.png", randomBytes(10_000));
    await put(workDir, "outputs/plots/a.csv", "t,T\n".repeat(5000));
    const { zip } = await buildResultZip({ workDir, downloadable: { globs: ["outputs/**"] }, compressionLevel: 1 });
    const methods = execFileSync(
      "python3",
      ["-c", "import sys, zipfile; print(' '.join(f'{i.filename}={i.compress_type}' for i in zipfile.ZipFile(sys.argv[1]).infolist()))", zip?.path ?? ""],
      { encoding: "utf8" },
    ).trim();
    expect(methods).toBe("outputs/media/pic.png=0 outputs/plots/a.csv=8");
  });

  it("gives the downloadables child the platform shows", () => {
    expect(resultZipEntry("id-1", "id-1.zip", "sim-9")).toEqual({
      id: "id-1",
      name: "Result.zip",
      slug: "result.zip",
      isFile: true,
      filename: "id-1.zip",
      simulationId: "sim-9",
      actions: { type: "command", list: [{ name: "Download", slug: "download" }] },
    });
  });
});

