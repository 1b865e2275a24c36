import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WorkDirBusyError } from "../../src/errors.js";
import { checkWorkDirFree, lockPathOf, takeWorkDirLock } from "../../src/work-lock/work-dir-lock.js";
import { waitFor } from "../helpers/pids.js";
import { REPO_ROOT, useTempWorks } from "../helpers/work-dir.js";

const { tempDir } = useTempWorks();
const VERSION = (JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

/** A work directory with debug/, as run-solver lays it out before it takes the lock. */
async function workDir(): Promise<string> {
  const dir = await tempDir("pw-lock-");
  await mkdir(join(dir, "debug"));
  return dir;
}

async function writeLock(dir: string, fields: Record<string, unknown>, ageMs = 0): Promise<string> {
  const path = lockPathOf(dir);
  const record = { host: hostname(), pid: process.pid, startedAt: "2020-01-02T03:04:05.000Z", version: "0.0.1", command: "run", lockId: "someone-else", ...fields };
  await writeFile(path, JSON.stringify(record));
  const when = new Date(Date.now() - ageMs);
  await utimes(path, when, when);
  return path;
}

/** The pid of a process that has ended (and been reaped): nothing runs under it now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((done) => child.on("exit", done));
  return child.pid as number;
}

describe("the work directory lock (debug/runner.lock)", () => {
  it("holds host, pid, start time and version, refuses a second holder with a message that says what to do, and is gone once released", async () => {
    const dir = await workDir();
    const lock = await takeWorkDirLock(dir, { command: "run" });
    const record = JSON.parse(await readFile(lockPathOf(dir), "utf8")) as Record<string, unknown>;
    expect(record).toMatchObject({ host: hostname(), pid: process.pid, version: VERSION, command: "run" });
    expect(Date.now() - Date.parse(record.startedAt as string)).toBeLessThan(60_000);

    const second = await takeWorkDirLock(dir, { command: "sync" }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(WorkDirBusyError);
    const error = second as WorkDirBusyError;
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`the work directory ${dir} is in use by a run of physicsworks-solve ${VERSION}, pid ${process.pid} on this host (${hostname()}), since ${record.startedAt as string}`);
    expect(error.message).toContain(`(lock file ${lockPathOf(dir)}); wait for that run to end, or, if that runner is gone, remove ${lockPathOf(dir)} and start again`);
    await expect(checkWorkDirFree(dir)).rejects.toBeInstanceOf(WorkDirBusyError);

    await lock.release();
    expect(existsSync(lockPathOf(dir))).toBe(false);
    await expect(checkWorkDirFree(dir)).resolves.toBeUndefined();
  });

  it("of runners starting together, exactly one gets it, also when they take over the same stale lock", async () => {
    const fresh = await workDir();
    const first = await Promise.allSettled(Array.from({ length: 6 }, () => takeWorkDirLock(fresh, { command: "run" })));
    expect(first.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(first.filter((r) => r.status === "rejected").every((r) => (r as PromiseRejectedResult).reason instanceof WorkDirBusyError)).toBe(true);

    await Promise.all(first.map((r) => (r.status === "fulfilled" ? r.value.release() : undefined)));
    // A check and a rename of one taker could interleave with another's: several rounds, many takers.
    const dead = await deadPid();
    for (let round = 0; round < 5; round++) {
      const stale = await workDir();
      await writeLock(stale, { pid: dead });
      const second = await Promise.allSettled(Array.from({ length: 12 }, () => takeWorkDirLock(stale, { command: "run" })));
      const won = second.filter((r) => r.status === "fulfilled");
      expect(won).toHaveLength(1);
      expect((won[0] as PromiseFulfilledResult<{ tookOver?: string }>).value.tookOver).toMatch(/^took over the stale lock .*: its runner \(pid \d+ on this host\) is gone$/);
      expect(second.filter((r) => r.status === "rejected").every((r) => (r as PromiseRejectedResult).reason instanceof WorkDirBusyError)).toBe(true);
      await Promise.all(second.map((r) => (r.status === "fulfilled" ? r.value.release() : undefined)));
    }
  });

  it("keeps its mtime fresh while held, so that runners on other hosts see it alive", async () => {
    const dir = await workDir();
    const lock = await takeWorkDirLock(dir, { command: "run", refreshMs: 100 });
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(lockPathOf(dir), hourAgo, hourAgo);
    await waitFor(async () => ((await stat(lockPathOf(dir))).mtimeMs > Date.now() - 60_000 ? true : undefined), 5000, "the refresh");
    await lock.release();
  });

  it("a lock taken by another runner while held is reported, and not removed on release", async () => {
    const dir = await workDir();
    const lock = await takeWorkDirLock(dir, { command: "run", refreshMs: 50 });
    const warnings: string[] = [];
    lock.onLost((m) => warnings.push(m));
    const foreign = await writeLock(dir, { host: "other-node.invalid" });
    await waitFor(() => (warnings.length ? true : undefined), 5000, "the lost-lock warning");
    expect(warnings).toEqual([`the work directory lock ${foreign} was removed or taken over by another runner while this one ran: two runners may be writing this work directory`]);
    await lock.release();
    expect(JSON.parse(await readFile(foreign, "utf8"))).toMatchObject({ host: "other-node.invalid" });
  });

  it("same host: a live pid is busy, a dead pid or a pid now used by a later process is stale", async () => {
    const live = await workDir();
    await writeLock(live, { pid: process.pid });
    await expect(takeWorkDirLock(live, { command: "run" })).rejects.toBeInstanceOf(WorkDirBusyError);

    const dead = await workDir();
    const pid = await deadPid();
    await writeLock(dead, { pid });
    const taken = await takeWorkDirLock(dead, { command: "run" });
    expect(taken.tookOver).toContain(`its runner (pid ${pid} on this host) is gone`);
    expect(JSON.parse(await readFile(lockPathOf(dead), "utf8"))).toMatchObject({ pid: process.pid, command: "run" });
    await taken.release();
  });

  it.skipIf(!existsSync("/proc/self/stat"))("same host: a live pid whose process started after the lock was written is not its holder (a restarted container)", async () => {
    const dir = await workDir();
    await writeLock(dir, { pid: process.pid, processStart: "1" });
    const lock = await takeWorkDirLock(dir, { command: "run" });
    expect(lock.tookOver).toContain(`its runner (pid ${process.pid} on this host) is gone`);
    await lock.release();
  });

  it("another host: busy while it refreshes the lock, stale after 3 × the refresh interval", async () => {
    const dir = await workDir();
    await writeLock(dir, { host: "other-node.invalid", pid: 4711 }, 5_000);
    const refused = await takeWorkDirLock(dir, { command: "run" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkDirBusyError);
    expect((refused as Error).message).toMatch(/in use by a run of physicsworks-solve 0\.0\.1, pid 4711 on other-node\.invalid, lock refreshed \d s ago, since 2020-01-02T03:04:05\.000Z/);

    await writeLock(dir, { host: "other-node.invalid", pid: 4711 }, 31_000);
    const lock = await takeWorkDirLock(dir, { command: "run" });
    expect(lock.tookOver).toMatch(/its runner on other-node\.invalid has not refreshed it for 3\d s$/);
    await lock.release();
  });

  it("an empty or damaged lock is busy while new (a runner writing it), stale once old", async () => {
    const dir = await workDir();
    await writeFile(lockPathOf(dir), "");
    const refused = await takeWorkDirLock(dir, { command: "run" }).catch((e: unknown) => e);
    expect((refused as Error).message).toContain("in use by a runner whose lock file is empty or damaged");
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPathOf(dir), old, old);
    const lock = await takeWorkDirLock(dir, { command: "run" });
    expect(lock.tookOver).toMatch(/it is damaged and was last written 60 s ago$/);
    await lock.release();
  });
});
