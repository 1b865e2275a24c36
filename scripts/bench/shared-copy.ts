/**
 * Copying a body's pieces into shared memory (the server's page-aligned batches and decoded v1
 * chunks, src/fs/aligned-buffer.ts): Buffer.copy (V8's relaxed copy for shared memory) against
 * copyBytes (src/fs/copy-bytes.ts: Buffer.fill, a memcpy), and Buffer.copy into a plain Buffer
 * for context. 64 KiB pieces (what an HTTP body arrives in) from a source at offset 0 and at odd
 * offsets (where the HTTP parser cuts them), into 4 MiB targets; median of 7 passes of 256 MiB.
 * Run: npx tsx scripts/bench/shared-copy.ts
 */
import { randomBytes } from "node:crypto";
import { alignedBuffer } from "../../src/fs/aligned-buffer.js";
import { copyBytes } from "../../src/fs/copy-bytes.js";
import { machineNote } from "./lib/bench-run.js";

const MIB = 1024 * 1024;
const PIECE = 64 * 1024;
const TARGET = 4 * MIB;
const PASS = 256 * MIB;
// Several sources and targets, more than the CPU's caches hold, as a server's memory is.
const sources = Array.from({ length: 8 }, () => randomBytes(TARGET + 64));
const shared = Array.from({ length: 4 }, () => alignedBuffer(TARGET));
const plain = Array.from({ length: 4 }, () => Buffer.allocUnsafeSlow(TARGET));

type Copy = (source: Uint8Array, target: Buffer, at: number) => void;
const viaCopy: Copy = (source, target, at) => void Buffer.from(source.buffer, source.byteOffset, source.length).copy(target, at);
const viaCopyBytes: Copy = (source, target, at) => void copyBytes(source, target, at);

/** ms for one pass: PASS bytes in PIECE-sized copies from `offset` into the source, median of 7. */
function measure(copy: Copy, targets: Buffer[], offset: number): number {
  const times: number[] = [];
  for (let run = 0; run < 8; run++) {
    const started = performance.now();
    for (let done = 0, n = 0; done < PASS; n++) {
      const source = sources[n % sources.length]!;
      const target = targets[n % targets.length]!;
      for (let at = 0; at < TARGET; at += PIECE) copy(source.subarray(offset + at, offset + at + PIECE), target, at);
      done += TARGET;
    }
    // The first pass warms up.
    if (run > 0) times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[3]!;
}

console.log(`shared-copy: ${PASS / MIB} MiB in 64 KiB pieces into 4 MiB targets, median of 7 passes; ${machineNote()}`);
console.log("  source offset   Buffer.copy → shared   copyBytes → shared   Buffer.copy → plain   copy/copyBytes (shared)");
for (const offset of [0, 3, 13]) {
  const copyShared = measure(viaCopy, shared, offset);
  const copyBytesShared = measure(viaCopyBytes, shared, offset);
  const copyPlain = measure(viaCopy, plain, offset);
  const gbs = (ms: number) => `${(PASS / ms / 1e6).toFixed(1).padStart(5)} GB/s`;
  console.log(`  ${String(offset).padStart(13)}   ${gbs(copyShared).padStart(20)}   ${gbs(copyBytesShared).padStart(18)}   ${gbs(copyPlain).padStart(19)}   ${(copyShared / copyBytesShared).toFixed(2).padStart(22)}×`);
}
