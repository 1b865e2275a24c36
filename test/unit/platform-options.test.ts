import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { platformSettings } from "../../src/local-platform/platform-options.js";
import { REPO_ROOT } from "../helpers/work-dir.js";

const solversDir = path.join(REPO_ROOT, "examples");
let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "pw-platform-options-"));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

test("defaults: concurrency 2, report URLs 15 min, grace 5 s, a secret made once in DATA/platform-secret, mode 600", async () => {
  const settings = await platformSettings({ dataDir, solversDir });
  expect(settings).toMatchObject({ dataDir, concurrency: 2, urlTtlMs: 900_000, graceMs: 5000 });
  expect(settings.natsUrl).toBeUndefined();
  expect([...settings.solvers.keys()]).toEqual(["heat1d", "node-solver"]);
  const file = path.join(dataDir, "platform-secret");
  expect((await readFile(file, "utf8")).trim()).toBe(settings.jwtSecret);
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect((await platformSettings({ dataDir, solversDir })).jwtSecret).toBe(settings.jwtSecret);
});

test("a given secret is used and no file is made; a kept file that others could read is made the owner's", async () => {
  const settings = await platformSettings({ dataDir, solversDir, jwtSecret: "s".repeat(32), concurrency: 4, natsUrl: "nats://127.0.0.1:4222", urlTtlMs: 60_000, graceMs: 0 });
  expect(settings).toMatchObject({ jwtSecret: "s".repeat(32), concurrency: 4, natsUrl: "nats://127.0.0.1:4222", urlTtlMs: 60_000, graceMs: 0 });
  await expect(stat(path.join(dataDir, "platform-secret"))).rejects.toThrow();
  await writeFile(path.join(dataDir, "platform-secret"), `${"k".repeat(40)}\n`, { mode: 0o644 });
  expect((await platformSettings({ dataDir, solversDir })).jwtSecret).toBe("k".repeat(40));
  expect((await stat(path.join(dataDir, "platform-secret"))).mode & 0o777).toBe(0o600);
});

test("bad options are ConfigErrors naming the option; a secret is never shown", async () => {
  await expect(platformSettings({ dataDir, solversDir, concurrency: 0 })).rejects.toThrow('platform option "concurrency" must be an integer from 1 to 256 (got 0)');
  await expect(platformSettings({ dataDir, solversDir, urlTtlMs: 1.5 })).rejects.toThrow(ConfigError);
  await expect(platformSettings({ dataDir, solversDir, graceMs: -1 })).rejects.toThrow(/"graceMs"/);
  await expect(platformSettings({ dataDir, solversDir, natsUrl: " " })).rejects.toThrow(/"natsUrl"/);
  await expect(platformSettings({ dataDir, solversDir, jwtSecret: "short-secret" })).rejects.toThrow('platform option "jwtSecret" must be a string of at least 16 characters (got "***")');
  await writeFile(path.join(dataDir, "platform-secret"), "tiny");
  await expect(platformSettings({ dataDir, solversDir })).rejects.toThrow(/platform-secret: the secret is shorter than 16 characters; remove the file/);
});
