import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configAbortLook } from "../../src/control/config-abort-watcher.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function watched() {
  const dir = await mkdtemp(join(tmpdir(), "pw-abort-look-"));
  dirs.push(dir);
  const path = join(dir, "config.json");
  await writeFile(path, JSON.stringify({ workDir: "." }));
  const problems: string[] = [];
  let aborts = 0;
  const look = configAbortLook(path, () => (aborts += 1), (m) => problems.push(m));
  // Each save has a size of its own, so that a file system with a coarse mtime still tells it.
  let saves = 0;
  const save = (text: string) => writeFile(path, text + " ".repeat(++saves));
  return { path, look, problems, save, aborts: () => aborts };
}

describe("the config file's abort, one look at a time", () => {
  it("says nothing of a file that is broken for one look only (a save in progress)", async () => {
    const w = await watched();
    await w.look.check();
    await w.save('{"workDir": ".", "abo');
    await w.look.check();
    await w.save('{"workDir": ".", "abort": false}');
    await w.look.check();
    await w.look.check();
    expect(w.problems).toEqual([]);
    expect(w.aborts()).toBe(0);
  });

  it("tells a problem that holds for two looks, once however long it holds, and a new one again", async () => {
    const w = await watched();
    await w.save('{"workDir": ".", "abort": "yes"}');
    await w.look.check();
    expect(w.problems).toEqual([]);
    for (let i = 0; i < 5; i++) await w.look.check();
    expect(w.problems).toEqual([`${w.path}: "abort" must be true or false (got "yes"); "abort" in it is not watched until that is fixed`]);
    await w.save("{ not json");
    await w.look.check();
    await w.look.check();
    expect(w.problems).toHaveLength(2);
    expect(w.problems[1]).toContain(w.path);
    // Fixed, then broken the same way again: told again.
    await w.save('{"workDir": ".", "abort": false}');
    await w.look.check();
    await w.save('{"workDir": ".", "abort": "yes"}');
    await w.look.check();
    await w.look.check();
    expect(w.problems).toHaveLength(3);
    expect(w.aborts()).toBe(0);
  });

  it("aborts once on true, and not after stop()", async () => {
    const w = await watched();
    await w.save('{"workDir": ".", "abort": true}');
    await w.look.check();
    await w.look.check();
    expect(w.aborts()).toBe(1);
    const other = await watched();
    other.look.stop();
    await other.save('{"abort": true}');
    await other.look.check();
    expect(other.aborts()).toBe(0);
  });

  it("tells a config file that is gone after two looks", async () => {
    const w = await watched();
    await rm(w.path);
    await w.look.check();
    expect(w.problems).toEqual([]);
    await w.look.check();
    expect(w.problems).toEqual([expect.stringMatching(/the config file is gone \(ENOENT\); "abort" in it is not watched/)]);
  });
});
