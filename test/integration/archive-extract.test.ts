import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractArchive, type ExtractOptions, type ExtractProgress } from "../../src/archive/index.js";
import { ArchiveError } from "../../src/errors.js";

// Hostile archives cannot be made with well-behaved tools; Python's zipfile and
// tarfile write whatever names, modes and link targets they are given.
const BUILD_FROM_SPEC = String.raw`
import base64, io, json, stat, sys, tarfile, zipfile
out, fmt = sys.argv[1], sys.argv[2]
entries = json.load(sys.stdin)
def data(e):
    return base64.b64decode(e['b64']) if 'b64' in e else e.get('text', '').encode()
if fmt == 'zip':
    with zipfile.ZipFile(out, 'w') as z:
        for e in entries:
            zi = zipfile.ZipInfo(e['name'])
            zi.create_system = 3
            zi.compress_type = zipfile.ZIP_DEFLATED
            kind = e.get('type', 'file')
            if kind == 'dir':
                zi.external_attr = ((stat.S_IFDIR | e.get('mode', 0o755)) << 16) | 0x10
                z.writestr(zi, b'')
            elif kind == 'symlink':
                zi.external_attr = (stat.S_IFLNK | 0o777) << 16
                z.writestr(zi, e['target'])
            elif kind == 'fifo':
                zi.external_attr = (stat.S_IFIFO | 0o644) << 16
                z.writestr(zi, b'')
            else:
                zi.external_attr = (stat.S_IFREG | e.get('mode', 0o644)) << 16
                z.writestr(zi, data(e))
else:
    with tarfile.open(out, 'w:gz' if fmt == 'tar.gz' else 'w', format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            kind = e.get('type', 'file')
            ti = tarfile.TarInfo(e['name'])
            ti.mode = e.get('mode', 0o755 if kind == 'dir' else 0o644)
            if kind == 'file':
                d = data(e)
                ti.size = len(d)
                t.addfile(ti, io.BytesIO(d))
                continue
            ti.type = {'dir': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE, 'hardlink': tarfile.LNKTYPE,
                       'fifo': tarfile.FIFOTYPE, 'chr': tarfile.CHRTYPE, 'sparse': tarfile.GNUTYPE_SPARSE}[kind]
            ti.linkname = e.get('target', '')
            t.addfile(ti)
`;

// How a user makes an archive of a folder: zipfile.write / tarfile.add keep modes and empty folders.
const BUILD_FROM_TREE = String.raw`
import os, sys, tarfile, zipfile
src, out, fmt = sys.argv[1], sys.argv[2], sys.argv[3]
if fmt == 'zip':
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
        for root, dirs, files in os.walk(src):
            for name in sorted(dirs) + sorted(files):
                full = os.path.join(root, name)
                z.write(full, os.path.relpath(full, src))
else:
    with tarfile.open(out, 'w:gz') as t:
        t.add(src, arcname='.')
`;

// Zeros stream through deflate in pieces: a 1 GB entry in a few MB, without 1 GB in memory.
const BUILD_BOMB = String.raw`
import sys, tarfile, zipfile, io
out, fmt, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
chunk = bytes(1 << 20)
if fmt == 'zip':
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open('bomb.bin', 'w') as f:
            for _ in range(mib):
                f.write(chunk)
else:
    class Zeros(io.RawIOBase):
        def __init__(self, n): self.left = n
        def readable(self): return True
        def readinto(self, b):
            n = min(len(b), self.left)
            b[:n] = bytes(n)
            self.left -= n
            return n
    with tarfile.open(out, 'w:gz', compresslevel=1) as t:
        ti = tarfile.TarInfo('bomb.bin')
        ti.size = mib << 20
        t.addfile(ti, io.BufferedReader(Zeros(ti.size)))
`;

type Format = "zip" | "tar.gz" | "tar";

interface SpecEntry {
  name: string;
  type?: "file" | "dir" | "symlink" | "hardlink" | "fifo" | "chr" | "sparse";
  text?: string;
  b64?: string;
  mode?: number;
  target?: string;
}

let scratch: string;
let counter = 0;
let builds = 0;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "pw-archive-"));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A fresh `base/` holding only `target/`'s future place, so any stray shows up in `base/`. */
async function freshBase(): Promise<{ base: string; target: string; archives: string }> {
  counter += 1;
  const base = path.join(scratch, `case-${counter}`, "base");
  const archives = path.join(scratch, `case-${counter}`, "archives");
  await mkdir(base, { recursive: true });
  await mkdir(archives, { recursive: true });
  return { base, target: path.join(base, "target"), archives };
}

function buildFromSpec(dir: string, format: Format, entries: SpecEntry[]): string {
  builds += 1;
  const out = path.join(dir, `spec-${builds}.${format}`);
  execFileSync("python3", ["-c", BUILD_FROM_SPEC, out, format], { input: JSON.stringify(entries) });
  return out;
}

async function extractError(archive: string, target: string, options: ExtractOptions = {}): Promise<ArchiveError> {
  const error = await extractArchive(archive, target, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArchiveError);
  return error as ArchiveError;
}

async function listTree(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true });
  return names.map(String).sort();
}

describe("extractArchive: normal archives", () => {
  let source: string;
  const script = "#!/bin/sh\necho hello\n";

  beforeAll(async () => {
    source = path.join(scratch, "source");
    await mkdir(path.join(source, "sub", "deep"), { recursive: true });
    await mkdir(path.join(source, "empty"), { recursive: true });
    await writeFile(path.join(source, "a.txt"), "alpha\n");
    await writeFile(path.join(source, "sub", "deep", "b.bin"), randomBytes(200_000));
    await writeFile(path.join(source, "sub", "c.txt"), "");
    await writeFile(path.join(source, "run.sh"), script);
    await chmod(path.join(source, "run.sh"), 0o755);
  });

  async function expectSameTree(target: string): Promise<void> {
    expect(await listTree(target)).toEqual(await listTree(source));
    for (const name of await listTree(source)) {
      const from = await stat(path.join(source, name));
      const to = await stat(path.join(target, name));
      expect(to.isDirectory(), name).toBe(from.isDirectory());
      if (from.isFile()) {
        expect((await readFile(path.join(target, name))).equals(await readFile(path.join(source, name))), name).toBe(true);
        expect(to.mode & 0o111, `${name} executable bits`).toBe(from.mode & 0o111);
      }
    }
  }

  for (const format of ["zip", "tar.gz"] as const) {
    it(`unpacks a ${format} byte for byte, with its empty folder and executable bit`, async () => {
      const { target, archives } = await freshBase();
      const archive = path.join(archives, `tree.${format}`);
      execFileSync("python3", ["-c", BUILD_FROM_TREE, source, archive, format]);
      const seen: ExtractProgress[] = [];

      const result = await extractArchive(archive, target, { onProgress: (p) => seen.push(p) });

      await expectSameTree(target);
      expect(result.bytes).toBe(200_000 + "alpha\n".length + script.length);
      expect(seen.at(-1)).toEqual(result);
      expect(execFileSync(path.join(target, "run.sh")).toString()).toBe("hello\n");
    });
  }

  it("unpacks a plain tar, an empty tar and an empty zip", async () => {
    const { target, archives } = await freshBase();
    const archive = buildFromSpec(archives, "tar", [{ name: "x/y.txt", text: "why" }]);
    await extractArchive(archive, target);
    expect(await readFile(path.join(target, "x", "y.txt"), "utf8")).toBe("why");

    const empty = buildFromSpec(archives, "tar", []);
    expect(await extractArchive(empty, path.join(target, "e"))).toEqual({ entries: 0, bytes: 0 });
    const emptyZip = buildFromSpec(archives, "zip", []);
    expect(await extractArchive(emptyZip, path.join(target, "z"))).toEqual({ entries: 0, bytes: 0 });
    expect(await readdir(path.join(target, "z"))).toEqual([]);
  });

  for (const format of ["zip", "tar.gz"] as const) {
    it(`keeps an inward symlink in a ${format}, and it works`, async () => {
      const { target, archives } = await freshBase();
      const entries: SpecEntry[] = [
        { name: "sub/file", text: "inside" },
        { name: "link", type: "symlink", target: "sub/file" },
        { name: "sub/up", type: "symlink", target: "../sub" },
        { name: "abs", type: "symlink", target: path.join(target, "sub", "file") },
      ];
      if (format !== "zip") entries.push({ name: "hard", type: "hardlink", target: "sub/file" });
      await extractArchive(buildFromSpec(archives, format, entries), target);

      expect(await readlink(path.join(target, "link"))).toBe("sub/file");
      expect(await readFile(path.join(target, "link"), "utf8")).toBe("inside");
      expect(await readFile(path.join(target, "sub", "up", "file"), "utf8")).toBe("inside");
      expect(await readFile(path.join(target, "abs"), "utf8")).toBe("inside");
      if (format !== "zip") {
        const [hard, file] = await Promise.all([stat(path.join(target, "hard")), stat(path.join(target, "sub", "file"))]);
        expect(hard.ino).toBe(file.ino);
      }
    });

    it(`drops setuid and setgid and skips fifos in a ${format}`, async () => {
      const { target, archives } = await freshBase();
      const entries: SpecEntry[] = [
        { name: "suid.sh", text: "#!/bin/sh\n", mode: 0o6755 },
        { name: "pipe", type: "fifo" },
        { name: "after.txt", text: "still here" },
      ];
      if (format !== "zip") entries.push({ name: "dev", type: "chr" });
      const result = await extractArchive(buildFromSpec(archives, format, entries), target);

      const mode = (await stat(path.join(target, "suid.sh"))).mode;
      expect(mode & 0o7000).toBe(0);
      expect(mode & 0o100).toBe(0o100);
      expect(await listTree(target)).toEqual(["after.txt", "suid.sh"]);
      expect(result.entries).toBe(entries.length);
    });
  }

  it("stops at a tar entry type it would otherwise drop without a word", async () => {
    const { target, archives } = await freshBase();
    const archive = buildFromSpec(archives, "tar.gz", [{ name: "holes.bin", type: "sparse" }]);
    const error = await extractError(archive, target);
    expect(error.message).toContain(`"holes.bin"`);
    expect(error.message).toContain("SparseFile");
  });

  it("lets a later entry of the same name replace an earlier file", async () => {
    const { target, archives } = await freshBase();
    const archive = buildFromSpec(archives, "tar.gz", [
      { name: "f.txt", text: "first" },
      { name: "f.txt", text: "second" },
    ]);
    await extractArchive(archive, target);
    expect(await readFile(path.join(target, "f.txt"), "utf8")).toBe("second");
  });
});

describe("extractArchive: hostile entries", () => {
  interface HostileCase {
    title: string;
    entries: (base: string) => SpecEntry[];
    /** The entry the error must name. */
    names: string;
    formats: Format[];
  }

  const both: Format[] = ["zip", "tar.gz"];
  const cases: HostileCase[] = [
    { title: "../evil", entries: () => [{ name: "ok.txt" }, { name: "../evil", text: "x" }], names: "../evil", formats: both },
    { title: "a/../../evil", entries: () => [{ name: "a/../../evil", text: "x" }], names: "a/../../evil", formats: both },
    { title: "..\\evil", entries: () => [{ name: "..\\evil", text: "x" }], names: "..\\evil", formats: both },
    {
      title: "an absolute name",
      entries: (base) => [{ name: path.join(base, "abs-evil"), text: "x" }],
      names: "abs-evil",
      formats: both,
    },
    { title: "a Windows absolute name", entries: () => [{ name: "C:\\evil", text: "x" }], names: "C:\\evil", formats: both },
    {
      title: "an absolute outward symlink, then a write through it",
      entries: (base) => [
        { name: "link", type: "symlink", target: base },
        { name: "link/evil", text: "x" },
      ],
      names: `"link"`,
      formats: both,
    },
    {
      title: "a relative outward symlink",
      entries: () => [{ name: "sub/link", type: "symlink", target: "../../x" }],
      names: "sub/link",
      formats: both,
    },
    {
      // Lexically a/../x is target/x; on disk, a is the target, so it is base/x.
      title: "a symlink that leaves through another symlink",
      entries: () => [
        { name: "a", type: "symlink", target: "." },
        { name: "l", type: "symlink", target: "a/../x" },
        { name: "l/evil", text: "x" },
      ],
      names: `"l"`,
      formats: both,
    },
    {
      title: "a symlink bent outward by a later symlink",
      entries: () => [
        { name: "l", type: "symlink", target: "a/../x" },
        { name: "a", type: "symlink", target: "." },
      ],
      names: `"l"`,
      formats: both,
    },
    {
      title: "an outward hard link",
      entries: () => [{ name: "hard", type: "hardlink", target: "../outside.txt" }],
      names: "hard",
      formats: ["tar.gz", "tar"],
    },
    {
      title: "an absolute hard link",
      entries: (base) => [{ name: "hard", type: "hardlink", target: path.join(base, "outside.txt") }],
      names: "hard",
      formats: ["tar.gz"],
    },
  ];

  for (const c of cases) {
    for (const format of c.formats) {
      it(`refuses ${c.title} (${format}) and writes nothing outside`, async () => {
        const { base, target, archives } = await freshBase();
        await writeFile(path.join(base, "outside.txt"), "secret");
        const archive = buildFromSpec(archives, format, c.entries(base));

        const error = await extractError(archive, target);

        expect(error.message).toContain(archive);
        expect(error.message).toContain(c.names);
        expect((await readdir(base)).filter((name) => name !== "target")).toEqual(["outside.txt"]);
        expect(await readFile(path.join(base, "outside.txt"), "utf8")).toBe("secret");
        if (c.title.includes("later symlink")) await expect(lstat(path.join(target, "l"))).rejects.toThrow();
      });
    }
  }

  it("refuses a NUL byte in a zip entry's name", async () => {
    const { base, target, archives } = await freshBase();
    const archive = buildFromSpec(archives, "zip", [{ name: "nulXevil", text: "x" }]);
    const bytes = await readFile(archive);
    await writeFile(archive, Buffer.from(bytes.toString("latin1").replaceAll("nulXevil", "nul\0evil"), "latin1"));

    const error = await extractError(archive, target);
    expect(error.message).toContain(String.raw`"nul\u0000evil"`);
    expect(error.message).toContain("NUL");
    expect(await readdir(base)).toEqual([]);
  });

  for (const format of both) {
    it(`never follows a symlink already in the target out of it (${format})`, async () => {
      const { base, target, archives } = await freshBase();
      await mkdir(path.join(base, "outside"));
      await writeFile(path.join(base, "outside", "file"), "secret");
      await mkdir(target);
      await symlink(path.join(base, "outside"), path.join(target, "link"));
      const entries: SpecEntry[] = [{ name: "link/evil", text: "x" }];
      if (format !== "zip") entries.push({ name: "hard", type: "hardlink", target: "link/file" });

      const error = await extractError(buildFromSpec(archives, format, [entries[0]!]), target);
      expect(error.message).toContain("link/evil");
      expect(await readdir(path.join(base, "outside"))).toEqual(["file"]);

      if (format !== "zip") {
        const hard = await extractError(buildFromSpec(archives, format, [entries[1]!]), target);
        expect(hard.message).toContain(`"hard"`);
        expect(await readdir(target)).toEqual(["link"]);
      }
    });
  }
});

describe("extractArchive: limits", () => {
  const MiB = 1024 * 1024;
  let bombs: string;

  beforeAll(() => {
    bombs = path.join(scratch, "bombs");
    mkdirSync(bombs);
    execFileSync("python3", ["-c", BUILD_BOMB, path.join(bombs, "bomb.zip"), "zip", "1024"]);
    execFileSync("python3", ["-c", BUILD_BOMB, path.join(bombs, "bomb.tar.gz"), "tar.gz", "300"]);
  });

  it("refuses a 1 GB zip bomb at 100 MB at once, before writing", async () => {
    const { target } = await freshBase();
    const started = Date.now();
    const error = await extractError(path.join(bombs, "bomb.zip"), target, { maxTotalBytes: 100 * MiB });

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.message).toContain("100.0MB");
    expect(error.message).toContain("maxUnpackBytes");
    expect(error.message).toContain("bomb.bin");
    await expect(stat(path.join(target, "bomb.bin"))).rejects.toThrow();
  });

  it("stops a tar.gz bomb on the bytes written and removes the partial file", async () => {
    const { base, target } = await freshBase();
    const started = Date.now();
    const seen: ExtractProgress[] = [];
    const error = await extractError(path.join(bombs, "bomb.tar.gz"), target, {
      maxTotalBytes: 50 * MiB,
      onProgress: (p) => seen.push(p),
    });

    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error.message).toContain("50.0MB");
    expect(error.message).toContain("maxUnpackBytes");
    expect(await readdir(target)).toEqual([]);
    expect(await readdir(base)).toEqual(["target"]);
    // It stopped right at the limit, not after the whole 300 MB.
    expect(Math.max(...seen.map((p) => p.bytes))).toBeLessThanOrEqual(50 * MiB);
  });

  it("refuses more entries than maxEntries", async () => {
    const { target, archives } = await freshBase();
    const entries = [{ name: "1" }, { name: "2" }, { name: "3" }];
    for (const format of ["zip", "tar.gz"] as const) {
      const error = await extractError(buildFromSpec(archives, format, entries), path.join(target, format), { maxEntries: 2 });
      expect(error.message).toContain("more than 2 entries");
    }
  });

  it("rejects a limit that is not a positive number", async () => {
    await expect(extractArchive("x.zip", "y", { maxTotalBytes: 0 })).rejects.toThrow(/maxTotalBytes.*got 0/);
  });
});

describe("extractArchive: damaged files", () => {
  it("names a file that is no archive", async () => {
    const { target, archives } = await freshBase();
    const garbage = path.join(archives, "garbage.bin");
    await writeFile(garbage, randomBytes(4096));
    const error = await extractError(garbage, target);
    expect(error.message).toContain(garbage);
    expect(error.message).toMatch(/not a zip, tar\.gz or tar/);

    const empty = path.join(archives, "empty.zip");
    await writeFile(empty, "");
    expect((await extractError(empty, target)).message).toContain("empty");
  });

  it("names a missing archive", async () => {
    const { target, archives } = await freshBase();
    const missing = path.join(archives, "missing.zip");
    expect((await extractError(missing, target)).message).toContain(missing);
  });

  it("refuses a zip entry whose bytes do not match its CRC-32, and removes it", async () => {
    const { target, archives } = await freshBase();
    // Random bytes deflate to stored blocks, so a flipped byte still inflates: only the CRC can tell.
    const archive = buildFromSpec(archives, "zip", [{ name: "data.bin", b64: randomBytes(300_000).toString("base64") }]);
    const bytes = await readFile(archive);
    bytes[150_000] = bytes[150_000]! ^ 0xff;
    await writeFile(archive, bytes);

    const error = await extractError(archive, target);
    expect(error.message).toContain(`"data.bin"`);
    expect(error.message).toContain("CRC-32");
    expect(await readdir(target)).toEqual([]);
  });

  for (const format of ["zip", "tar.gz"] as const) {
    it(`refuses a truncated ${format}`, async () => {
      const { target, archives } = await freshBase();
      const archive = buildFromSpec(archives, format, [
        { name: "one.bin", b64: randomBytes(300_000).toString("base64") },
        { name: "two.bin", b64: randomBytes(300_000).toString("base64") },
      ]);
      const { size } = await stat(archive);
      await truncate(archive, Math.floor(size / 2));

      const error = await extractError(archive, target);
      expect(error.message).toContain(archive);
      // Whatever was written before the damage showed is whole; nothing half-written stays.
      for (const name of await readdir(target).catch(() => [])) {
        expect((await stat(path.join(target, name))).size).toBe(300_000);
      }
    });
  }
});
