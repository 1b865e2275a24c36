import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, rename, rm, stat, truncate, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cacheKey, createDownloadCache, resolveCacheDir } from "../../src/download-cache/index.js";
import { createPlatformClient, type PlatformClient } from "../../src/platform/index.js";
import { startStub, type HttpStub } from "../helpers/http-stub.js";
import { useTempWorks } from "../helpers/work-dir.js";

const { tempDir } = useTempWorks();

/** A real platform on 127.0.0.1 serving `GET storage/runner/{id}`; `served` counts full bodies sent. */
interface Platform {
  stub: HttpStub;
  client: PlatformClient;
  served: Map<string, number>;
  files: Map<string, Buffer>;
  /** Ids whose next answers are cut after half the body. */
  cut: Set<string>;
}

let platform: Platform | undefined;
afterEach(async () => {
  platform?.client.close();
  await platform?.stub.close();
  platform = undefined;
});

async function startPlatform(options: { slowMs?: number } = {}): Promise<Platform> {
  const files = new Map<string, Buffer>();
  const served = new Map<string, number>();
  const cut = new Set<string>();
  const stub = await startStub(async (req, res) => {
    const id = decodeURIComponent(req.url.replace(/^\/storage\/runner\//, ""));
    const body = files.get(id);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length });
    if (cut.has(id)) {
      res.write(body.subarray(0, body.length >> 1));
      await new Promise((r) => setTimeout(r, 20));
      res.destroy();
      return;
    }
    // Slow bodies, so that concurrent fetches really overlap.
    for (let at = 0; at < body.length; at += 256 * 1024) {
      res.write(body.subarray(at, at + 256 * 1024));
      if (options.slowMs) await new Promise((r) => setTimeout(r, options.slowMs));
    }
    res.end();
    served.set(id, (served.get(id) ?? 0) + 1);
  });
  const client = createPlatformClient({ host: stub.url, token: "tok", responseTimeoutMs: 5000, retry: { tries: 2, sleep: async () => undefined } });
  platform = { stub, client, served, files, cut };
  return platform;
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("createDownloadCache()", () => {
  it("downloads on a miss, then links the cached file in with no download", async () => {
    const p = await startPlatform();
    const mesh = randomBytes(3 * 1024 * 1024);
    p.files.set("mesh-1", mesh);
    const cache = createDownloadCache({ dir: await tempDir("pw-cache-"), env: {} });
    const work = await tempDir("pw-work-");

    const first = await cache.fetch("mesh-1", join(work, "run1/raw/m.msh"), (tmp) => p.client.downloadFile("mesh-1", tmp));
    expect(first).toEqual({ bytes: mesh.length, hit: false });
    const second = await cache.fetch("mesh-1", join(work, "run2/raw/m.msh"), (tmp) => p.client.downloadFile("mesh-1", tmp));
    expect(second).toEqual({ bytes: mesh.length, hit: true });
    expect(p.served.get("mesh-1")).toBe(1);

    for (const run of ["run1", "run2"]) expect(sha(await readFile(join(work, run, "raw/m.msh")))).toBe(sha(mesh));
    const key = cacheKey("mesh-1");
    const cached = await stat(join(cache.dir, "files", key));
    // A hard link (same filesystem here): no second copy on disk, and read-only, so an edit in place fails.
    expect((await stat(join(work, "run2/raw/m.msh"))).ino).toBe(cached.ino);
    expect(cached.mode & 0o777).toBe(0o444);
    expect(JSON.parse(await readFile(join(cache.dir, "files", `${key}.json`), "utf8"))).toMatchObject({ fileId: "mesh-1", size: mesh.length });
    expect(await readdir(join(cache.dir, "tmp"))).toEqual([]);
  });

  it("replaces a file already at the destination", async () => {
    const cache = createDownloadCache({ dir: await tempDir("pw-cache-"), env: {} });
    const dest = join(await tempDir("pw-work-"), "a.bin");
    await writeFile(dest, "old content");
    await cache.fetch("f", dest, async (tmp) => (await writeFile(tmp, "new"), { bytes: 3 }));
    expect(await readFile(dest, "utf8")).toBe("new");
    await writeFile(join(dest, "..", "b.bin"), "other");
    await cache.fetch("f", join(dest, "..", "b.bin"), async () => {
      throw new Error("a hit must not download");
    });
    expect(await readFile(join(dest, "..", "b.bin"), "utf8")).toBe("new");
  });

  it("never caches a download whose size is not the one reported", async () => {
    const cache = createDownloadCache({ dir: await tempDir("pw-cache-"), env: {} });
    const work = await tempDir("pw-work-");
    const lying = cache.fetch("f", join(work, "x"), async (tmp) => (await writeFile(tmp, "12345"), { bytes: 10 }));
    await expect(lying).rejects.toThrow("download of file f reported 10 bytes but wrote 5; not cached");
    expect(await readdir(join(cache.dir, "tmp"))).toEqual([]);
    expect(await readdir(join(cache.dir, "files"))).toEqual([]);
    await expect(stat(join(work, "x"))).rejects.toThrow(/ENOENT/);
    const honest = await cache.fetch("f", join(work, "x"), async (tmp) => (await writeFile(tmp, "1234567890"), { bytes: 10 }));
    expect(honest).toEqual({ bytes: 10, hit: false });
  });

  it("is not poisoned by a download cut off mid-body", async () => {
    const p = await startPlatform();
    const body = randomBytes(1024 * 1024);
    p.files.set("cut", body);
    p.cut.add("cut");
    const cache = createDownloadCache({ dir: await tempDir("pw-cache-"), env: {} });
    const dest = join(await tempDir("pw-work-"), "cut.bin");
    await expect(cache.fetch("cut", dest, (tmp) => p.client.downloadFile("cut", tmp))).rejects.toThrow();
    expect(await readdir(join(cache.dir, "tmp"))).toEqual([]);
    expect(await readdir(join(cache.dir, "files"))).toEqual([]);
    p.cut.delete("cut");
    expect(await cache.fetch("cut", dest, (tmp) => p.client.downloadFile("cut", tmp))).toEqual({ bytes: body.length, hit: false });
    expect(sha(await readFile(dest))).toBe(sha(body));
  });

  it("downloads again when the cached file no longer has its recorded size", async () => {
    const cache = createDownloadCache({ dir: await tempDir("pw-cache-"), env: {} });
    const work = await tempDir("pw-work-");
    let downloads = 0;
    const download = async (tmp: string) => (downloads++, await writeFile(tmp, "0123456789"), { bytes: 10 });
    await cache.fetch("f", join(work, "a"), download);
    const cached = join(cache.dir, "files", cacheKey("f"));
    await chmod(cached, 0o644);
    await truncate(cached, 4);
    expect(await cache.fetch("f", join(work, "b"), download)).toEqual({ bytes: 10, hit: false });
    expect(downloads).toBe(2);
    expect(await readFile(join(work, "b"), "utf8")).toBe("0123456789");
  });

  it("with verify sha256, also catches a same-size change", async () => {
    const cache = createDownloadCache({ dir: await tempDir("pw-cache-"), env: {}, verify: "sha256" });
    const work = await tempDir("pw-work-");
    let downloads = 0;
    const download = async (tmp: string) => (downloads++, await writeFile(tmp, "0123456789"), { bytes: 10 });
    await cache.fetch("f", join(work, "a"), download);
    expect((await cache.fetch("f", join(work, "b"), download)).hit).toBe(true);
    const cached = join(cache.dir, "files", cacheKey("f"));
    await chmod(cached, 0o644);
    await writeFile(cached, "XXXXXXXXXX");
    expect((await cache.fetch("f", join(work, "c"), download)).hit).toBe(false);
    expect(downloads).toBe(2);
    expect(await readFile(join(work, "c"), "utf8")).toBe("0123456789");
  });

  it("lets runs sharing the cache fetch one id at once without corrupting it", async () => {
    const p = await startPlatform({ slowMs: 5 });
    const body = randomBytes(2 * 1024 * 1024);
    p.files.set("shared", body);
    const dir = await tempDir("pw-cache-");
    const work = await tempDir("pw-work-");
    // Separate cache objects, as separate runs would have; the files are all they share.
    const fetches = Array.from({ length: 6 }, (_, i) =>
      createDownloadCache({ dir, env: {} }).fetch("shared", join(work, `run${i}`, "raw/m.msh"), (tmp) => p.client.downloadFile("shared", tmp)),
    );
    const results = await Promise.all(fetches);
    expect(results.every((r) => r.bytes === body.length)).toBe(true);
    for (let i = 0; i < 6; i++) expect(sha(await readFile(join(work, `run${i}`, "raw/m.msh")))).toBe(sha(body));
    expect(sha(await readFile(join(dir, "files", cacheKey("shared"))))).toBe(sha(body));
    expect(await readdir(join(dir, "tmp"))).toEqual([]);
    const downloads = p.served.get("shared") ?? 0;
    expect(downloads).toBeGreaterThanOrEqual(1);
    expect(downloads).toBe(results.filter((r) => !r.hit).length);
    expect((await createDownloadCache({ dir, env: {} }).fetch("shared", join(work, "late"), () => Promise.reject(new Error("no")))).hit).toBe(true);
  });

  it("links a hit while other runs rename fresh copies over the cached file", async () => {
    // link(2) fails with ENOENT when the name is swapped to a new inode between its lookup and the
    // link (the old inode has no name left): a run sharing the cache must link the new copy instead.
    const dir = await tempDir("pw-cache-");
    const work = await tempDir("pw-work-");
    await createDownloadCache({ dir, env: {} }).fetch("m", join(work, "first"), async (tmp) => (await writeFile(tmp, "mesh"), { bytes: 4 }));
    const cached = join(dir, "files", cacheKey("m"));
    let swapping = true;
    let swaps = 0;
    const swapper = (async () => {
      while (swapping) {
        const fresh = join(dir, `fresh-${swaps++}`);
        await writeFile(fresh, "mesh");
        await rename(fresh, cached);
      }
    })();
    const cache = createDownloadCache({ dir, env: {} });
    let places = 0;
    try {
      // Past 2,000 links with ~6,000 swaps: the unguarded link failed about once in 70 on this machine kind.
      for (; places < 2000; places++) {
        const dest = join(work, `run${places % 8}`);
        expect(await cache.fetch("m", dest, () => Promise.reject(new Error("a hit must not download")))).toEqual({ bytes: 4, hit: true });
      }
    } finally {
      swapping = false;
      await swapper;
    }
    expect(swaps).toBeGreaterThan(100);
    for (let i = 0; i < 8; i++) expect(await readFile(join(work, `run${i}`), "utf8")).toBe("mesh");
  });

  it("keeps every file id a plain name inside the cache", async () => {
    const cache = createDownloadCache({ dir: await tempDir("pw-cache-"), env: {} });
    const work = await tempDir("pw-work-");
    const ids = ["../../etc/passwd", "a/b", "a_b", ".hidden", "x".repeat(500)];
    for (const [i, id] of ids.entries()) {
      await cache.fetch(id, join(work, `f${i}`), async (tmp) => (await writeFile(tmp, id), { bytes: Buffer.byteLength(id) }));
    }
    const names = await readdir(join(cache.dir, "files"));
    expect(names).toHaveLength(ids.length * 2);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
    for (const [i, id] of ids.entries()) expect(await readFile(join(work, `f${i}`), "utf8")).toBe(id);
    expect(cacheKey("a/b")).not.toBe(cacheKey("a_b"));
    expect(() => cacheKey("")).toThrow(/non-empty/);
  });

  it("copies instead of linking when asked, or when the destination is on another filesystem", async () => {
    const cache = createDownloadCache({ dir: await tempDir("pw-cache-"), env: {}, link: false });
    const dest = join(await tempDir("pw-work-"), "c.bin");
    await cache.fetch("f", dest, async (tmp) => (await writeFile(tmp, "abc"), { bytes: 3 }));
    const [copy, cached] = await Promise.all([stat(dest), stat(join(cache.dir, "files", cacheKey("f")))]);
    expect(copy.ino).not.toBe(cached.ino);
    expect(copy.mode & 0o777).toBe(0o644);

    // /dev/shm is a tmpfs on Linux: a hard link there from the temp dir's disk fails with EXDEV.
    if (!existsSync("/dev/shm") || (await stat("/dev/shm")).dev === cached.dev) return;
    const shm = join("/dev/shm", `pw-cache-test-${process.pid}`);
    await mkdir(shm, { recursive: true });
    try {
      const linking = createDownloadCache({ dir: cache.dir, env: {} });
      expect(await linking.fetch("f", join(shm, "c.bin"), () => Promise.reject(new Error("no")))).toEqual({ bytes: 3, hit: true });
      expect(await readFile(join(shm, "c.bin"), "utf8")).toBe("abc");
    } finally {
      await rm(shm, { recursive: true, force: true });
    }
  });
});

describe("resolveCacheDir()", () => {
  it("takes the option, then PHYSICSWORKS_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache", () => {
    expect(resolveCacheDir({ PHYSICSWORKS_CACHE_DIR: "/scratch/c" }, "/opt/cache")).toBe("/opt/cache");
    expect(resolveCacheDir({ PHYSICSWORKS_CACHE_DIR: "/scratch/c", XDG_CACHE_HOME: "/x" })).toBe("/scratch/c");
    expect(resolveCacheDir({ XDG_CACHE_HOME: "/x", HOME: "/home/u" })).toBe("/x/physicsworks-solve");
    expect(resolveCacheDir({ XDG_CACHE_HOME: "relative", HOME: "/home/u" })).toBe("/home/u/.cache/physicsworks-solve");
    expect(resolveCacheDir({})).toBe(join(homedir(), ".cache/physicsworks-solve"));
  });
});
