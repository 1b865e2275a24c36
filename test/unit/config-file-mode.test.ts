import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prepareRunDir } from "../../src/events/worker/run-work-dir.js";
import { loadSweep } from "../../src/sweep/index.js";
import { prepareRun } from "../../src/sweep/prepare-run.js";
import { useTempWorks } from "../helpers/work-dir.js";

const { tempDir } = useTempWorks();
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
/** What this process's umask makes of a plain 644 file. */
const plainMode = async (dir: string) => {
  await writeFile(join(dir, "reference"), "", { mode: 0o644 });
  return modeOf(join(dir, "reference"));
};

describe("config.json files the runner writes", () => {
  it("a sweep point's is readable by its owner only when it holds the token, also when written again", async () => {
    const dir = await tempDir("pw-mode-");
    await mkdir(join(dir, "solver"));
    for (const [name, base] of [["secret", "{mainScript: main.py, token: tok-secret-1}"], ["plain", "{mainScript: main.py}"]] as const) {
      const specPath = join(dir, `${name}.yaml`);
      await writeFile(specPath, `base: ${base}\nscripts: ./solver\nroot: ./${name}\nparameters: {a: [1]}\n`);
      const { spec, points } = await loadSweep(specPath);
      const config = await prepareRun(spec, points[0]!);
      expect(await modeOf(config), name).toBe(name === "secret" ? 0o600 : await plainMode(dir));
      await prepareRun(spec, points[0]!);
      expect(await modeOf(config), `${name}, again`).toBe(name === "secret" ? 0o600 : await plainMode(dir));
    }
  });

  it("a queued run's copy on a worker is readable by its owner only when it holds the token", async () => {
    const root = await tempDir("pw-mode-");
    const secret = await prepareRunDir(root, { id: "r1", config: { mainScript: "main.py", token: "tok-secret-2" } });
    const plain = await prepareRunDir(root, { id: "r2", config: { mainScript: "main.py" } });
    expect(await modeOf(secret)).toBe(0o600);
    expect(await modeOf(plain)).toBe(await plainMode(root));
  });
});
