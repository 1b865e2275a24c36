import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { link, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import { describe, expect, it, onTestFinished } from "vitest";
import { WorkDirBusyError } from "../../src/errors.js";
import { removeStaleMutex, takeTakeoverMutex } from "../../src/work-lock/takeover-mutex.js";
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

/** A takeover mutex its taker left a minute ago (it died holding it). */
async function oldMutex(lockPath: string): Promise<void> {
  const old = new Date(Date.now() - 60_000);
  await writeFile(`${lockPath}.takeover`, "a taker that died\n");
  await utimes(`${lockPath}.takeover`, old, old);
}

/**
 * Takers that found the mutex old but get to remove it only later. In one process, whose file
 * operations queue in order, this is how a taker slowed between the two (another process, NFS) acts.
 */
async function lateRemovers(lockPath: string): Promise<void> {
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let step = 0; step < 30; step++) {
        await removeStaleMutex(lockPath);
        await new Promise((next) => setImmediate(next));
      }
    }),
  );
}

/** What is in debug/ besides the lock: nothing, or a takeover mutex put back after its holder let go (the next taker removes it). */
async function leftovers(dir: string): Promise<string[]> {
  const names = await readdir(join(dir, "debug"));
  const released = names.includes("runner.lock.takeover") && (await readFile(join(dir, "debug/runner.lock.takeover"), "utf8").catch(() => "")).includes("released\n");
  return names.filter((name) => name !== "runner.lock" && !(released && name === "runner.lock.takeover"));
}

/** A process that runs until the test ends: a live pid that is not this process's. */
async function livePid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  onTestFinished(() => void child.kill("SIGKILL"));
  await new Promise((done) => child.on("spawn", done));
  return child.pid as number;
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
    expect(error.message).toContain(`(lock file ${lockPathOf(dir)}); wait for it to end, or, if that runner is gone, remove ${lockPathOf(dir)} and start again`);
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

  it("a lock this process left behind (its release could not remove it) is taken over, not refused for as long as the process lives", async () => {
    const dir = await workDir();
    const first = await takeWorkDirLock(dir, { command: "run" });
    // What a release whose removal failed (NFS) leaves: this process's own record, held by no run here now.
    const leftBehind = await readFile(lockPathOf(dir), "utf8");
    const { startedAt } = JSON.parse(leftBehind) as { startedAt: string };
    await first.release();
    await writeFile(lockPathOf(dir), leftBehind);

    await expect(checkWorkDirFree(dir)).resolves.toBeUndefined();
    const second = await takeWorkDirLock(dir, { command: "run" });
    expect(second.tookOver).toBe(
      `took over the stale lock ${lockPathOf(dir)} of a run of physicsworks-solve ${VERSION}, pid ${process.pid} on this host (${hostname()}), since ${startedAt}: ` +
        `its holder in this process (pid ${process.pid}) has let go of it and left it behind`,
    );
    // Held again by a run here, it counts.
    await expect(takeWorkDirLock(dir, { command: "sync" })).rejects.toBeInstanceOf(WorkDirBusyError);
    await expect(checkWorkDirFree(dir)).rejects.toBeInstanceOf(WorkDirBusyError);
    await second.release();

    // The same with a lock id no run here has had.
    await writeLock(dir, { pid: process.pid, threadId, lockId: "not-held-here" });
    const third = await takeWorkDirLock(dir, { command: "run" });
    expect(third.tookOver).toMatch(/: its holder in this process \(pid \d+\) has let go of it and left it behind$/);
    await third.release();
  });

  it("of takers in this one process, exactly one gets a fresh directory, and exactly one takes over a lock this process left behind", async () => {
    for (let round = 0; round < 10; round++) {
      const fresh = await workDir();
      const left = await workDir();
      await writeLock(left, { pid: process.pid, threadId, lockId: `left-behind-${round}` });
      for (const dir of [fresh, left]) {
        const takers = await Promise.allSettled(Array.from({ length: 8 }, () => takeWorkDirLock(dir, { command: "run" })));
        expect(takers.filter((r) => r.status === "fulfilled"), dir).toHaveLength(1);
        expect(takers.filter((r) => r.status === "rejected").every((r) => (r as PromiseRejectedResult).reason instanceof WorkDirBusyError)).toBe(true);
        await Promise.all(takers.map((r) => (r.status === "fulfilled" ? r.value.release() : undefined)));
      }
    }
  });

  it("a taker that found the takeover mutex stale never removes the fresh one another taker holds by then: it stays taken, and its holder is told", async () => {
    const lockPath = lockPathOf(await workDir());
    await oldMutex(lockPath);
    // Taker A finds it old and removes it; taker C then takes a fresh one.
    expect(await takeTakeoverMutex(lockPath)).toBeUndefined();
    const c = await takeTakeoverMutex(lockPath);
    expect(c).toBeDefined();
    expect(await c!.stillHeld()).toBe(true);
    // Taker B had found the old one too, before A removed it, and only now gets to remove it.
    await removeStaleMutex(lockPath);
    expect(await takeTakeoverMutex(lockPath)).toBeUndefined();
    expect(await readdir(join(lockPath, ".."))).toEqual(["runner.lock.takeover"]);
    // C cannot know whether another taker held it meanwhile: it backs out.
    expect(await c!.stillHeld()).toBe(false);
    await c!.release();
    expect(await readdir(join(lockPath, ".."))).toEqual([]);
  });

  it("a holder whose takeover mutex was moved aside finds out before it replaces the lock, and one put back after it let go does not hold up the next taker", async () => {
    const lockPath = lockPathOf(await workDir());
    const path = `${lockPath}.takeover`;
    const c = await takeTakeoverMutex(lockPath);
    // A remover moved C's aside (it had found an old one there), and D made a new one meanwhile.
    await rename(path, `${path}.aside`);
    const d = await takeTakeoverMutex(lockPath);
    expect(d).toBeDefined();
    expect(await c!.stillHeld()).toBe(false);
    expect(await d!.stillHeld()).toBe(true);
    await c!.release();
    expect(await d!.stillHeld()).toBe(true);
    await d!.release();
    // The remover puts C's back only now, C having let go of it: the next taker gets the mutex at once.
    await link(`${path}.aside`, path);
    await rm(`${path}.aside`);
    const next = (await takeTakeoverMutex(lockPath)) ?? (await takeTakeoverMutex(lockPath));
    expect(next).toBeDefined();
    await next!.release();
    expect(await readdir(join(lockPath, ".."))).toEqual([]);
  });

  it("an old takeover mutex (its taker died holding it) is removed by one taker alone: of takers that retry at once, exactly one wins", async () => {
    for (let round = 0; round < 20; round++) {
      const dir = await workDir();
      const lockPath = lockPathOf(dir);
      await oldMutex(lockPath);
      // What replaceStale does with the lock file, on a stand-in: look, then replace what was judged stale.
      let holder: number | undefined;
      const wins: number[] = [];
      const takers = Array.from({ length: 16 }, async (_, taker) => {
        for (;;) {
          const mutex = await takeTakeoverMutex(lockPath);
          if (!mutex) continue;
          try {
            const seen = holder;
            // As long as replaceStale's look at the lock and the writing of its own.
            await writeFile(`${lockPath}.${taker}.tmp`, "");
            await stat(lockPath).catch(() => undefined);
            await rm(`${lockPath}.${taker}.tmp`);
            if (seen !== undefined) return;
            // Moved aside by a late remover of the old mutex: judged again, as replaceStale's caller does.
            if (!(await mutex.stillHeld())) continue;
            holder = taker;
            wins.push(taker);
            return;
          } finally {
            await mutex.release();
          }
        }
      });
      await Promise.all([...takers, lateRemovers(lockPath)]);
      expect(wins, `round ${round}`).toHaveLength(1);
      expect(await leftovers(dir)).toEqual([]);
    }
  });

  it("an old takeover mutex (its taker died holding it) is removed by one taker alone: of many takers, exactly one takes over the lock", async () => {
    const dead = await deadPid();
    for (let round = 0; round < 10; round++) {
      const dir = await workDir();
      await writeLock(dir, { pid: dead });
      await oldMutex(lockPathOf(dir));
      const [takers] = await Promise.all([Promise.allSettled(Array.from({ length: 16 }, () => takeWorkDirLock(dir, { command: "run" }))), lateRemovers(lockPathOf(dir))]);
      const won = takers.filter((r) => r.status === "fulfilled");
      expect(won, `round ${round}`).toHaveLength(1);
      expect((won[0] as PromiseFulfilledResult<{ tookOver?: string }>).value.tookOver).toMatch(/: its runner \(pid \d+ on this host\) is gone$/);
      expect(takers.filter((r) => r.status === "rejected").every((r) => (r as PromiseRejectedResult).reason instanceof WorkDirBusyError)).toBe(true);
      // Nothing left but the lock: no mutex held, no file moved aside, no temporary lock.
      expect(await leftovers(dir)).toEqual([]);
      await Promise.all(takers.map((r) => (r.status === "fulfilled" ? r.value.release() : undefined)));
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
    await writeLock(live, { pid: await livePid() });
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
    // 60 s when checked at once; a loaded machine may take a second or two to get here.
    expect(lock.tookOver).toMatch(/it is damaged and was last written (59|6[0-2]) s ago$/);
    await lock.release();
  });
});
