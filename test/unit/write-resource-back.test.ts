import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

/**
 * A save by someone else between the runner's read of config.json and its rename cannot be timed
 * from a test: this one happens inside the runner's own write of the temporary file (the only
 * stand-in here), every time or only the first.
 */
const saves = vi.hoisted(() => ({ left: 0, path: "" }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...real,
    writeFile: async (...args: Parameters<typeof real.writeFile>) => {
      await real.writeFile(...args);
      if (saves.left > 0 && String(args[0]).endsWith(".tmp")) {
        saves.left -= 1;
        const config = JSON.parse(await real.readFile(saves.path, "utf8")) as Record<string, unknown>;
        await real.writeFile(saves.path, JSON.stringify({ ...config, abort: true, saves: ((config.saves as number) ?? 0) + 1 }));
      }
    },
  };
});

const { writeResourceBack } = await import("../../src/stages/write-resource-back.js");

const dirs: string[] = [];
afterEach(async () => {
  saves.left = 0;
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function configFile(mode: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "pw-resource-"));
  dirs.push(dir);
  const path = join(dir, "config.json");
  await writeFile(path, JSON.stringify({ workDir: ".", token: "t" }));
  await chmod(path, mode);
  return path;
}

const resource = { id: "run-1", name: "Run 1" };

describe("writeResourceBack", () => {
  it("writes the run node in, keeping the file's permissions", async () => {
    const path = await configFile(0o600);
    expect(await writeResourceBack(path, resource)).toBe("written");
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ workDir: ".", token: "t", resource });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("leaves a read-only config.json alone", async () => {
    const path = await configFile(0o400);
    const before = await readFile(path, "utf8");
    expect(await writeResourceBack(path, resource)).toBe("read-only");
    expect(await readFile(path, "utf8")).toBe(before);
    expect(await readdir(join(path, ".."))).toEqual(["config.json"]);
  });

  it("keeps an abort saved while it wrote: reads the file again and writes over it", async () => {
    const path = await configFile(0o600);
    Object.assign(saves, { left: 1, path });
    expect(await writeResourceBack(path, resource)).toBe("written");
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ workDir: ".", token: "t", abort: true, saves: 1, resource });
  });

  it("gives up, the file as its last save left it, when it changes under every try", async () => {
    const path = await configFile(0o600);
    Object.assign(saves, { left: 99, path });
    expect(await writeResourceBack(path, resource)).toBe("busy");
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ workDir: ".", token: "t", abort: true, saves: 3 });
    expect(await readdir(join(path, ".."))).toEqual(["config.json"]);
  });
});
