/**
 * Reading a file from the page cache into the runner's 1 MiB read buffers (src/fs/read-buffer.ts)
 * against plain Buffer.allocUnsafe ones of the same size, in this process, median of 5 passes.
 * glibc places a buffer of 128 KiB or more 16 bytes past a page boundary; the kernel's copy of a
 * page into it is slowed by 4K aliasing (its loads wait on stores 16 bytes before them modulo
 * 4 KiB). readBuffer starts 48 bytes further on. Also the same read into a 64 KiB buffer (a read
 * stream's size; such a buffer comes from the heap, at no fixed offset) for context.
 * Run: npx tsx scripts/bench/read-buffer.ts [MiB, default 512]
 */
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import { readBuffer } from "../../src/fs/read-buffer.js";
import { benchTempDir, machineNote } from "./lib/bench-run.js";

const MIB = 1024 * 1024;
const mib = Number(process.argv[2] ?? 512);
if (!Number.isSafeInteger(mib) || mib < 1) {
  console.error(`read-buffer: the size must be a whole number of MiB ≥ 1 (got ${JSON.stringify(process.argv[2])})`);
  process.exit(2);
}

/** ms to read the whole file into `buffer`, piece by piece, synchronously (the copy is all there is to it). */
function readAll(file: string, buffer: Buffer): number {
  const fd = openSync(file, "r");
  try {
    const started = performance.now();
    for (let position = 0; ; position += buffer.length) if (readSync(fd, buffer, 0, buffer.length, position) === 0) break;
    return performance.now() - started;
  } finally {
    closeSync(fd);
  }
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}

const temp = await benchTempDir("read-buffer");
try {
  const file = join(temp.dir, "data.bin");
  const fd = openSync(file, "w");
  const block = randomBytes(16 * MIB);
  for (let at = 0; at < mib * MIB; at += block.length) writeSync(fd, block, 0, Math.min(block.length, mib * MIB - at), at);
  closeSync(fd);
  const kinds: [string, Buffer][] = [
    ["Buffer.allocUnsafe(1 MiB)", Buffer.allocUnsafe(MIB)],
    ["readBuffer(1 MiB)", readBuffer(MIB)],
    ["Buffer.allocUnsafe(64 KiB)", Buffer.allocUnsafe(64 * 1024)],
  ];
  readAll(file, kinds[0]![1]); // warm-up: the file in the page cache
  const times = new Map<string, number[]>(kinds.map(([name]) => [name, []]));
  for (let pass = 0; pass < 5; pass++) for (const [name, buffer] of kinds) times.get(name)!.push(readAll(file, buffer));
  const base = median(times.get("readBuffer(1 MiB)")!);
  console.log(`read-buffer: a ${mib} MiB file read from the page cache with readSync, median of 5 passes`);
  console.log(`  ${machineNote()}`);
  for (const [name] of kinds) {
    const ms = median(times.get(name)!);
    console.log(`  ${name.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  ${((mib * MIB) / 1e6 / (ms / 1000)).toFixed(0).padStart(6)} MB/s  ${(ms / base).toFixed(2)}× readBuffer's time`);
  }
} finally {
  await temp.cleanup();
}
