/**
 * Peak memory of unpacking a large archive with extractArchive(): the unpacking streams, so the peak
 * RSS must stay flat (target: under ~200 MB) however large the archive is. Builds a zip of compressible
 * data with python3's zipfile (an independent writer, as the platform's archives are), unpacks it,
 * prints the time and the peak RSS against the uncompressed size, and removes everything it made.
 *
 * Run: npx tsx scripts/bench/unpack-memory.ts [uncompressed GiB, default 3] [--dir=<parent of the temp folder>]
 * Needs about the uncompressed size free on that disk (checked first).
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, stat, statfs } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractArchive } from "../../src/archive/index.js";
import { formatBytes } from "../../src/log/format-bytes.js";

const TARGET_PEAK_BYTES = 200 * 1024 ** 2;
const SAMPLE_MS = 10;

const args = process.argv.slice(2);
const gib = Number(args.find((a) => !a.startsWith("--")) ?? 3);
const parent = args.find((a) => a.startsWith("--dir="))?.slice("--dir=".length) ?? tmpdir();
if (!(gib > 0)) {
  console.error(`unpack-memory: the size must be a positive number of GiB (got ${JSON.stringify(args[0])})`);
  process.exit(2);
}
const total = Math.round(gib * 1024 ** 3);

/**
 * One large entry of zeros (deflate's best case: the most output per input byte, the hardest test of
 * back-pressure), the rest in 256 MiB entries of repeated text lines, and many small files.
 */
const BUILD_ZIP = `
import sys, zipfile
path, total = sys.argv[1], int(sys.argv[2])
MiB = 1024 * 1024
line = b"step,time,temperature,pressure,velocity_x,velocity_y\\n1024,0.125,293.15,101325.0,0.5,-0.25\\n"
text_block = (line * (MiB // len(line) + 1))[:MiB]
zero_block = bytes(MiB)
def write(zf, name, size, block):
    with zf.open(name, "w", force_zip64=True) as f:
        left = size
        while left > 0:
            n = min(left, MiB)
            f.write(block[:n])
            left -= n
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
    zeros = total // 2
    write(zf, "big/zeros.bin", zeros, zero_block)
    left, i = total - zeros - 1000 * 4096, 0
    while left > 0:
        n = min(left, 256 * MiB)
        write(zf, f"series/part-{i:03d}.csv", n, text_block)
        left -= n
        i += 1
    for k in range(1000):
        zf.writestr(f"small/{k // 100:02d}/f{k:04d}.txt", ((b"%d\\n" % k) * 4096)[:4096])
`;

async function main(): Promise<void> {
  const fs = await statfs(parent);
  const free = fs.bavail * fs.bsize;
  const needed = total * 1.05 + 256 * 1024 ** 2;
  console.log(`unpack-memory: ${formatBytes(total)} uncompressed under ${parent} (${formatBytes(free)} free)`);
  if (free < needed) {
    console.error(`unpack-memory: needs about ${formatBytes(needed)} free there; pass a smaller size or --dir=<a larger disk>`);
    process.exit(2);
  }
  const dir = await mkdtemp(join(parent, "pw-unpack-bench-"));
  try {
    const archive = join(dir, "big.zip");
    let started = Date.now();
    execFileSync("python3", ["-c", BUILD_ZIP, archive, String(total)], { stdio: "inherit" });
    console.log(`  built      ${formatBytes((await stat(archive)).size)} zip in ${((Date.now() - started) / 1000).toFixed(1)} s (python3 zipfile)`);

    globalThis.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    let peakHeap = 0;
    let peakExternal = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakExternal = Math.max(peakExternal, m.external + m.arrayBuffers);
    }, SAMPLE_MS);
    started = Date.now();
    const result = await extractArchive(archive, join(dir, "out"));
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const maxRss = process.resourceUsage().maxRSS * 1024; // the kernel's high-water mark, start-up included

    console.log(`  unpacked   ${result.entries} entries, ${formatBytes(result.bytes)} in ${seconds.toFixed(1)} s (${formatBytes(result.bytes / seconds)}/s)`);
    console.log(`  RSS        before ${formatBytes(baseline)}, peak ${formatBytes(peak)} (sampled every ${SAMPLE_MS} ms), kernel max ${formatBytes(maxRss)}`);
    console.log(`  peak heap  ${formatBytes(peakHeap)}, peak external + array buffers ${formatBytes(peakExternal)}`);
    console.log(`  ratio      peak RSS / uncompressed size = ${((peak / result.bytes) * 100).toFixed(2)} %`);
    const ok = peak < TARGET_PEAK_BYTES && result.bytes === total;
    console.log(`  ${ok ? "OK" : "OVER TARGET"}: peak RSS ${formatBytes(peak)} against a target of ${formatBytes(TARGET_PEAK_BYTES)}`);
    if (!ok) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
