import { alignedBuffer } from "../fs/aligned-buffer.js";
import { BufferPool } from "../fs/buffer-pool.js";
import { copyBytes } from "../fs/copy-bytes.js";
import type { FormCodec } from "./form-codec.js";
import { FORM_KERNELS_WASM } from "./form-kernels-wasm.js";
import { splitAtStringField, unpaddedLength } from "./string-field.js";

/** What form-kernels.wat exports. */
interface FormKernels {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  encodeForm(src: number, n: number, dst: number): number;
  decodeForm(src: number, n: number, dst: number): number;
  decodeBase64(src: number, n: number, dst: number): number;
  init(): void;
}

/** The part of the WebAssembly global used here (the Node types do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

const PAGE = 64 * 1024;
/** Below this, the kernels' tables (form-kernels.wat). */
const FIRST_FREE = 16 * 1024;
/**
 * The bytes encoded at a time: a multiple of 12, so that every step but the last is whole SIMD
 * blocks and the steps' base64 joins into the whole's, padding only at the end. Small enough that
 * input and output stay in the CPU's cache until the output is copied out (about 136 KB, at
 * most 384 KiB), and the memory stays small whatever the size.
 */
const ENCODE_STEP = 12 * 8 * 1024;
/**
 * The size of an encoded piece, filled by steps: random bytes give 4/3 of their length plus 2 for
 * each "+" (1 in 64 characters), so a 5 MiB chunk fills seven.
 */
const POOLED_PIECE = 1024 * 1024;
/** Spare pieces kept: enough for three 5 MiB chunks in flight (7 pieces each) and a few more. */
const POOLED_PIECES = 24;
/** A decoded chunk's pooled size (v1's chunks are 5 MiB). */
const POOLED_CHUNK = 5 * 1024 * 1024;
/** Decoded values shorter than this (live appends, mostly) get a buffer of their own. */
const POOLED_CHUNK_FROM = 1024 * 1024;
/** Spare decoded chunks kept: as many as the server usually has requests under way. */
const POOLED_CHUNKS = 4;
/** The characters a base64 check takes in at a time: a multiple of 16 (whole SIMD blocks). */
const CHECK_PIECE = 16 * 12 * 1024;
/** The kernels may read or write one 16-byte block past the end of their input or output. */
const SLACK = 16;

const align16 = (n: number) => (n + 15) & ~15;
const lengthOf = (pieces: readonly Uint8Array[]) => pieces.reduce((sum, piece) => sum + piece.length, 0);

/**
 * The form codec on form-kernels.wat. Each codec has its own WebAssembly memory, which grows to
 * the largest value it has worked on (input and output side by side) and stays that size; every
 * call copies its result out before it returns. Undefined when the module cannot be loaded.
 */
export function wasmFormCodec(): FormCodec | undefined {
  const kernels = instantiate();
  if (!kernels) return undefined;
  kernels.init();
  let view = Buffer.from(kernels.memory.buffer);
  const pieces = new BufferPool(POOLED_PIECE, POOLED_PIECES);
  // On page boundaries, so the server can write a decoded chunk past the page cache (chunk-assembly.ts).
  const chunks = new BufferPool(POOLED_CHUNK, POOLED_CHUNKS, alignedBuffer);
  /** The memory, at least `bytes` long (growing it replaces its buffer). */
  const room = (bytes: number): Buffer => {
    if (view.length < bytes) {
      kernels.memory.grow(Math.ceil((bytes - view.length) / PAGE));
      view = Buffer.from(kernels.memory.buffer);
    }
    return view;
  };
  /**
   * Copies `pieces` in at FIRST_FREE, one after the other, with room for `outputBytes` after
   * them; gives their length and the output's offset.
   */
  const input = (pieces: readonly Uint8Array[], outputBytes: number): { memory: Buffer; length: number; dst: number } => {
    const length = lengthOf(pieces);
    const dst = align16(FIRST_FREE + length + SLACK);
    const memory = room(dst + outputBytes + SLACK);
    let at = FIRST_FREE;
    for (const piece of pieces) {
      memory.set(piece, at);
      at += piece.length;
    }
    return { memory, length, dst };
  };

  /** The decoded form value: a view of the memory, good until the next call. */
  const decodeForm = (pieces: readonly Uint8Array[]): Buffer | undefined => {
    // Decoding never makes the value longer.
    const { memory, length, dst } = input(pieces, lengthOf(pieces));
    const decoded = kernels.decodeForm(FIRST_FREE, length, dst);
    return decoded < 0 ? undefined : memory.subarray(dst, dst + decoded);
  };

  return {
    kind: "wasm",
    urlEncodeBase64(bytes) {
      const encoded: Buffer[] = [];
      let piece: Buffer | undefined;
      let filled = 0;
      for (let at = 0; at < bytes.length; at += ENCODE_STEP) {
        const step = bytes.subarray(at, at + ENCODE_STEP);
        // 4 characters per 3 bytes, each at most 3 bytes long ("%2B").
        const { memory, dst } = input([step], 12 * Math.ceil(step.length / 3));
        const length = kernels.encodeForm(FIRST_FREE, step.length, dst);
        // One step's worth (a live append, mostly): a buffer of its own, no pooled megabyte.
        if (bytes.length <= ENCODE_STEP) return [Buffer.from(memory.subarray(dst, dst + length))];
        if (!piece || filled + length > piece.length) {
          if (piece) encoded.push(piece.subarray(0, filled));
          piece = pieces.take(POOLED_PIECE);
          filled = 0;
        }
        filled += memory.copy(piece, filled, dst, dst + length);
      }
      if (piece) encoded.push(piece.subarray(0, filled));
      return encoded;
    },
    reuse(buffers) {
      // Each pool takes back only buffers of its own size.
      pieces.give(buffers);
      chunks.give(buffers);
    },
    decodeFormValue(bytes) {
      return decodeForm([bytes])?.toString("utf8");
    },
    splitBase64Field(pieces, key) {
      const text = decodeForm(pieces);
      return (
        text &&
        splitAtStringField(text, key, (start, end) => {
          const n = unpaddedLength(text, start, end - start);
          if (n === undefined) return undefined;
          // In place: the bytes never overtake the characters still to be read.
          const at = text.byteOffset + start;
          const length = kernels.decodeBase64(at, n, at);
          if (length < 0) return undefined;
          const bytes = length < POOLED_CHUNK_FROM ? Buffer.allocUnsafe(length) : chunks.take(length);
          copyBytes(text.subarray(start, start + length), bytes);
          return bytes;
        })
      );
    },
    isBase64(text) {
      if (text.length % 4 === 1) return false;
      let n = text.length;
      if (text.endsWith("=")) n -= text.endsWith("==") ? 2 : 1;
      for (let i = 0; i < n; i += CHECK_PIECE) {
        const piece = text.slice(i, Math.min(n, i + CHECK_PIECE));
        // Written as latin1, a character past 0xff would lose its high byte: ASCII only.
        if (Buffer.byteLength(piece, "utf8") !== piece.length) return false;
        const memory = room(FIRST_FREE + piece.length + SLACK);
        memory.write(piece, FIRST_FREE, "latin1");
        // Decoded in place, for the check alone.
        if (kernels.decodeBase64(FIRST_FREE, piece.length, FIRST_FREE) < 0) return false;
      }
      return true;
    },
  };
}

function instantiate(): FormKernels | undefined {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (!api) return undefined;
  try {
    const module = new api.Module(Buffer.from(FORM_KERNELS_WASM, "base64"));
    return new api.Instance(module, {}).exports as FormKernels;
  } catch {
    // No SIMD on this CPU or in this engine: the caller falls back to JavaScript.
    return undefined;
  }
}
