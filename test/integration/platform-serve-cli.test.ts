import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { testSolversDir } from "../helpers/platform.js";
import { runCli } from "../helpers/run-cli.js";
import { useTempWorks } from "../helpers/work-dir.js";

const { tempDir } = useTempWorks();
let solversDir: string;
beforeAll(async () => {
  solversDir = await testSolversDir();
});
afterAll(() => rm(solversDir, { recursive: true, force: true }));

test("serve --solvers refuses --token and the bare server's test flags, each with the fix", async () => {
  const data = await tempDir("pw-serve-cli-");
  for (const [flags, message] of [
    [["--token", "t0ps3cret-value"], "--token is not taken with --solvers"],
    [["--faultRate", "0.1"], "--faultRate is not taken with --solvers"],
    [["--no-socketIo"], "--no-socketIo is not taken with --solvers"],
  ] as const) {
    const run = await runCli(["serve", "--data", data, "--solvers", solversDir, ...flags]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain("leave it out");
    expect(run.stderr).not.toContain("t0ps3cret-value");
  }
});

test("platform flags without --solvers, and bad platform flag values, are usage errors", async () => {
  const data = await tempDir("pw-serve-cli-");
  const cases = [
    [["--token", "x", "--concurrency", "2"], "--concurrency is a flag of the local platform: add --solvers DIR"],
    [["--solvers", solversDir, "--concurrency", "0"], "--concurrency must be a whole number from 1 to 256"],
    [["--solvers", solversDir, "--grace", "soon"], "--grace must be a duration"],
    [["--solvers", solversDir, "--urlTtl", "10ms"], "--urlTtl must be at least 1s"],
    [["--solvers", solversDir, "--nats", "localhost:4222"], "--nats must be a NATS URL"],
    [["--solvers", `${data}/none`], "does not exist; give a folder whose sub-folders each hold a solver's config.json"],
  ] as const;
  for (const [flags, message] of cases) {
    const run = await runCli(["serve", "--data", data, ...flags]);
    expect(run.code, `${flags.join(" ")}: ${run.stderr}`).toBe(2);
    expect(run.stderr).toContain(message);
  }
});

test("serve --help shows the platform's flags and an example", async () => {
  const run = await runCli(["serve", "--help"]);
  expect(run.code).toBe(0);
  for (const text of ["--solvers <dir>", "--concurrency <n>", "--nats <url>", "--urlTtl <duration>", "--grace <duration>", "serve --port 8080 --data ./pw-data --solvers ./examples"]) {
    expect(run.stdout).toContain(text);
  }
});

test("serve on a port that is taken, bare or as the local platform, is a config error (exit 2) that names the address", async () => {
  const data = await tempDir("pw-serve-cli-");
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  const { port } = taken.address() as AddressInfo;
  try {
    for (const flags of [["--token", "x"], ["--solvers", solversDir]]) {
      const run = await runCli(["serve", "--data", data, "--port", String(port), ...flags]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`127.0.0.1:${port} is in use by another program; stop it, or give another port`);
      expect(run.stderr).not.toContain("internal error");
    }
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});
