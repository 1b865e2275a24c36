/**
 * The config loader on random and mutated config files (JSON and YAML) in a real temp folder: it
 * resolves or refuses with a ConfigError / UsageError, never anything else, never hangs, and
 * writes nothing anywhere.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, UsageError } from "../../src/errors.js";
import { resolveRunOptions } from "../../src/index.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pw-fuzz-config-"));
  await mkdir(join(dir, "work"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const FIELDS = ["workDir", "host", "token", "project", "simulation", "job", "owner", "mainScript", "command", "scriptsArchive", "inputsArchive", "env", "timeout", "grace", "maxUnpackBytes", "abort", "passToken", "resource", "nats", "hots", "workdir"];
const VALID = { workDir: "work", host: "http://127.0.0.1:9/", token: "t0k3n", project: "p", simulation: "s", job: "j", owner: "o", timeout: "1h", grace: "5s", env: { A: "1" }, command: ["python3"] };

const anyValue = fc.oneof(
  fc.string(),
  fc.constantFrom("work", ".", "..", "/", "../../etc", "http://x", "ftp://x", "localhost:3000", "1h30m", "-5s", "0", "NaN", "\u0000", "main.py", "../main.py", "/abs/main.py"),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxKeys: 3 }),
);
const randomConfig = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), anyValue, { maxKeys: 10 });

/** A valid config's text with random bytes inserted, deleted or replaced. */
const mutatedText = fc
  .tuple(fc.constantFrom(JSON.stringify(VALID, null, 2), "workDir: work\nhost: http://127.0.0.1:9/\ntoken: t\nproject: p\nsimulation: s\njob: j\nowner: o\n"), fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.string({ maxLength: 4 })), { maxLength: 6 }))
  .map(([text, edits]) => edits.reduce((t, [at, del, ins]) => t.slice(0, at % (t.length + 1)) + ins + t.slice((at % (t.length + 1)) + del), text));

async function attempt(name: string, text: string, extra: Parameters<typeof resolveRunOptions>[0] = {}): Promise<void> {
  const configPath = join(dir, name);
  await writeFile(configPath, text);
  try {
    await resolveRunOptions({ configPath, env: {}, ...extra });
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof UsageError)) {
      throw new Error(`${name} ${JSON.stringify(text.slice(0, 300))} threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
    }
  }
}

describe("config loader fuzz", () => {
  it("random JSON configs and flags: resolved or a typed refusal", async () => {
    await fc.assert(
      fc.asyncProperty(
        randomConfig,
        fc.record({ timeout: fc.option(fc.oneof(fc.string(), fc.integer()), { nil: undefined }), grace: fc.option(fc.oneof(fc.string(), fc.integer()), { nil: undefined }), startingStage: fc.option(fc.string(), { nil: undefined }), skipStages: fc.option(fc.string(), { nil: undefined }) }),
        async (config, flags) => {
          const extra = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
          await attempt("config.json", JSON.stringify(config), extra);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("mutated JSON and YAML texts: resolved or a typed refusal", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedText, fc.boolean(), async (text, yaml) => attempt(yaml ? "config.yaml" : "config.json", text)),
      { numRuns: 400 },
    );
  });

  it("wrote nothing: the folder holds the config files and work/ only", async () => {
    expect((await readdir(dir)).sort()).toEqual(expect.arrayContaining(["work"]));
    for (const f of await readdir(dir)) expect(["work", "config.json", "config.yaml"]).toContain(f);
    expect(await readdir(join(dir, "work"))).toEqual([]);
  });
});
