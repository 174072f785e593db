/**
 * WebAssembly SIMD kernels for the two loops that touch every pixel of every tile: scaling
 * uint8 / uint16 samples to float32 model input, and the argmax of a two-class model's output
 * into labels. In plain JS each costs 2–3 ns per pixel (~6 ms per 1024² tile together); with
 * 128-bit SIMD they cost a fraction of that, copies in and out of the module's memory
 * included. No library does this, and the module is tiny, so it is assembled here from its
 * instructions (`assemble()` below, opcodes from the WebAssembly SIMD spec) instead of being
 * shipped as an opaque binary.
 *
 * Exactness: the engine's result must not change. The argmax compares the same float32
 * values with the same rule (ties and NaN → the first class). The scaling runs in float32
 * (`(v − min) / span`), while the JS path computes in float64 and rounds once; the two agree
 * for integer ranges (the quotient is never close enough to a float32 rounding boundary for
 * double rounding to matter), and `scaler()` checks every possible sample value (256 or
 * 65 536) against the JS formula before it hands out the SIMD path, so a range where they
 * would differ simply uses JS. Where WebAssembly SIMD is missing, `simdKernels()` returns null
 * and callers keep their JS loops. Isomorphic.
 */

// ---- a minimal assembler ----

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

/** Plain opcodes. */
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br_if: (l: number) => [0x0d, ...uleb(l)],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  i32const: (v: number) => [0x41, ...sleb(v)],
  i32add: [0x6a],
  i32shl: [0x74],
  i32ltu: [0x49],
  i32geu: [0x4f],
};
/** SIMD opcodes (prefix 0xfd, LEB128 sub-opcode); memory ops take `align` (log2) and `offset`. */
const simd = (code: number, ...imm: number[]) => [0xfd, ...uleb(code), ...imm];
const mem = (code: number, align: number, offset: number) => simd(code, ...uleb(align), ...uleb(offset));
const v = {
  load: (offset: number) => mem(0x00, 4, offset),
  load8x8u: (offset: number) => mem(0x02, 3, offset),
  load16x4u: (offset: number) => mem(0x04, 3, offset),
  store: (offset: number) => mem(0x0b, 4, offset),
  shuffle: (lanes: number[]) => simd(0x0d, ...lanes),
  i8splat: simd(0x0f),
  i16splat: simd(0x10),
  f32splat: simd(0x13),
  f32gt: simd(0x44),
  bitselect: simd(0x52),
  i8narrow16s: simd(0x65),
  i16narrow32s: simd(0x85),
  i32extendLow16u: simd(0xa9),
  i32extendHigh16u: simd(0xaa),
  f32sub: simd(0xe5),
  f32div: simd(0xe7),
  f32fromU32: simd(0xfb),
};

/** Byte lanes picking the 4 even (class 0) or odd (class 1) float32 lanes out of two vectors of pairs. */
const EVEN = [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];
const ODD = [4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31];

/**
 * A `while (p < end)` loop over `p` (local `ptr`), `end` = local `endLocal`; `body` runs at
 * least once only when `p < end`.
 */
const whileBelow = (ptr: number, endLocal: number, body: number[]): number[] => [
  ...op.block,
  ...op.get(ptr),
  ...op.get(endLocal),
  ...op.i32geu,
  ...op.br_if(0),
  ...op.loop,
  ...body,
  ...op.get(ptr),
  ...op.get(endLocal),
  ...op.i32ltu,
  ...op.br_if(0),
  ...op.end,
  ...op.end,
];
const bump = (local: number, by: number) => [...op.get(local), ...op.i32const(by), ...op.i32add, ...op.set(local)];

// scale(src, dst, n, min, span): dst[i] = (src[i] - min) / span for i < n, 8 samples a step
// (params 0 src, 1 dst, 2 n, 3 min, 4 span; locals 5 end, 6 vmin, 7 vspan, 8 tmp).
function scaleBody(u16: boolean): number[] {
  const convert = (load: number[]) => [...load, ...v.f32fromU32, ...op.get(6), ...v.f32sub, ...op.get(7), ...v.f32div];
  const step = u16
    ? [
        ...op.get(1),
        ...convert([...op.get(0), ...v.load16x4u(0)]),
        ...v.store(0),
        ...op.get(1),
        ...convert([...op.get(0), ...v.load16x4u(8)]),
        ...v.store(16),
        ...bump(0, 16),
        ...bump(1, 32),
      ]
    : [
        ...op.get(0),
        ...v.load8x8u(0),
        ...op.set(8),
        ...op.get(1),
        ...convert([...op.get(8), ...v.i32extendLow16u]),
        ...v.store(0),
        ...op.get(1),
        ...convert([...op.get(8), ...v.i32extendHigh16u]),
        ...v.store(16),
        ...bump(0, 8),
        ...bump(1, 32),
      ];
  return [
    ...op.get(3),
    ...v.f32splat,
    ...op.set(6),
    ...op.get(4),
    ...v.f32splat,
    ...op.set(7),
    // end = src + n * bytesPerSample
    ...op.get(0),
    ...op.get(2),
    ...(u16 ? [...op.i32const(1), ...op.i32shl] : []),
    ...op.i32add,
    ...op.set(5),
    ...whileBelow(0, 5, step),
  ];
}

// argmax2(src, dst, n, v0, v1): dst[i] = src[2i+1] > src[2i] ? v1 : v0, 16 (u8) or 8 (u16)
// labels a step (params 0 src, 1 dst, 2 n, 3 v0, 4 v1; locals 5 end, 6 vv0, 7 vv1, 8 a, 9 b).
function argmaxBody(u16: boolean): number[] {
  // Pushes the i32x4 mask "class 1 wins" of the 4 pixels at src + at.
  const mask = (at: number) => [
    ...op.get(0),
    ...v.load(at),
    ...op.set(8),
    ...op.get(0),
    ...v.load(at + 16),
    ...op.set(9),
    ...op.get(8),
    ...op.get(9),
    ...v.shuffle(ODD),
    ...op.get(8),
    ...op.get(9),
    ...v.shuffle(EVEN),
    ...v.f32gt,
  ];
  const masks = u16
    ? [...mask(0), ...mask(32), ...v.i16narrow32s]
    : [...mask(0), ...mask(32), ...v.i16narrow32s, ...mask(64), ...mask(96), ...v.i16narrow32s, ...v.i8narrow16s];
  // 16 (u8) or 8 (u16) pixels a step: 128 or 64 bytes of pairs in, 16 bytes of labels out.
  const step = [
    ...op.get(1),
    ...op.get(7),
    ...op.get(6),
    ...masks,
    ...v.bitselect,
    ...v.store(0),
    ...bump(0, u16 ? 64 : 128),
    ...bump(1, 16),
  ];
  const splat = u16 ? v.i16splat : v.i8splat;
  return [
    ...op.get(3),
    ...splat,
    ...op.set(6),
    ...op.get(4),
    ...splat,
    ...op.set(7),
    // end = dst + n * bytesPerLabel
    ...op.get(1),
    ...op.get(2),
    ...(u16 ? [...op.i32const(1), ...op.i32shl] : []),
    ...op.i32add,
    ...op.set(5),
    ...whileBelow(1, 5, step),
  ];
}

const FUNCS = [
  { name: "scaleU16", type: 0, body: () => scaleBody(true) },
  { name: "scaleU8", type: 0, body: () => scaleBody(false) },
  { name: "argmax2U8", type: 1, body: () => argmaxBody(false) },
  { name: "argmax2U16", type: 1, body: () => argmaxBody(true) },
] as const;

/** The module: one exported memory and the four kernels. */
export function assemble(): Uint8Array<ArrayBuffer> {
  const types = [
    [0x60, ...vec([[I32], [I32], [I32], [F32], [F32]]), 0],
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), 0],
  ];
  // locals: one i32 (end) and four v128
  const locals = vec([
    [1, I32],
    [4, V128],
  ]);
  const bodies = FUNCS.map((f) => {
    const code = [...locals, ...f.body(), ...op.end];
    return [...uleb(code.length), ...code];
  });
  const exports = [[...str("memory"), 0x02, 0], ...FUNCS.map((f, i) => [...str(f.name), 0x00, ...uleb(i)])];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(3, vec(FUNCS.map((f) => [f.type]))),
    ...section(5, vec([[0x00, ...uleb(1)]])),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}

// ---- the kernels ----

interface Exports {
  memory: WebAssembly.Memory;
  scaleU16(src: number, dst: number, n: number, min: number, span: number): void;
  scaleU8(src: number, dst: number, n: number, min: number, span: number): void;
  argmax2U8(src: number, dst: number, n: number, v0: number, v1: number): void;
  argmax2U16(src: number, dst: number, n: number, v0: number, v1: number): void;
}

/** Bytes the kernels may read or write past the `n` they are given (they work in whole steps). */
const SLACK = 256;

/** One instance: its memory is scratch space, laid out by each call. Not for concurrent use (calls are synchronous). */
export class SimdKernels {
  private readonly x: Exports;
  private readonly verified = new Map<string, boolean>();

  constructor(instance: WebAssembly.Instance) {
    this.x = instance.exports as unknown as Exports;
  }

  /** Make the memory at least `bytes` long (views made before are invalid afterwards). */
  private reserve(bytes: number): ArrayBuffer {
    const memory = this.x.memory;
    const need = bytes + SLACK;
    if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
    return memory.buffer;
  }

  /**
   * `out[r·n + i] = (samples[start + r·stride + i] − min) / span` as float32 for `rows` rows of
   * `n` uint8 / uint16 samples — or false (nothing written) when the float32 arithmetic could
   * differ from the float64 formula for this range (`canScale`).
   */
  scale(
    samples: Uint8Array | Uint16Array,
    start: number,
    stride: number,
    rows: number,
    n: number,
    out: Float32Array,
    min: number,
    span: number,
  ): boolean {
    const u16 = samples instanceof Uint16Array;
    if (!this.canScale(u16, min, span)) return false;
    const total = rows * n;
    const inBytes = (total * samples.BYTES_PER_ELEMENT + 15) & ~15;
    const buffer = this.reserve(inBytes + total * 4);
    const into = u16 ? new Uint16Array(buffer, 0, total) : new Uint8Array(buffer, 0, total);
    if (stride === n) into.set(samples.subarray(start, start + total));
    else for (let r = 0; r < rows; r++) into.set(samples.subarray(start + r * stride, start + r * stride + n), r * n);
    (u16 ? this.x.scaleU16 : this.x.scaleU8)(0, inBytes, total, min, span);
    out.set(new Float32Array(buffer, inBytes, total));
    return true;
  }

  /** Whether the SIMD scaling equals the float64 formula for every sample value of the type. */
  canScale(u16: boolean, min: number, span: number): boolean {
    const key = `${u16}:${min}:${span}`;
    let ok = this.verified.get(key);
    if (ok === undefined) {
      const n = u16 ? 65536 : 256;
      const buffer = this.reserve(n * 2 + n * 4);
      const values = u16 ? new Uint16Array(buffer, 0, n) : new Uint8Array(buffer, 0, n);
      for (let i = 0; i < n; i++) values[i] = i;
      const inBytes = (n * (u16 ? 2 : 1) + 15) & ~15;
      (u16 ? this.x.scaleU16 : this.x.scaleU8)(0, inBytes, n, min, span);
      const got = new Float32Array(buffer, inBytes, n);
      ok = true;
      for (let i = 0; i < n && ok; i++) ok = Object.is(got[i], Math.fround((i - min) / span));
      this.verified.set(key, ok);
    }
    return ok;
  }

  /**
   * Labels of a two-class model: for `rows` rows of `n` pixels whose float32 pairs start at
   * `src[srcStart + r·srcStride]` (in floats), write `p1 > p0 ? v1 : v0` into
   * `dst[dstStart + r·dstStride …]`.
   */
  argmax2(
    src: Float32Array,
    srcStart: number,
    srcStride: number,
    dst: Uint8Array | Uint16Array,
    dstStart: number,
    dstStride: number,
    rows: number,
    n: number,
    v0: number,
    v1: number,
  ): void {
    // The rows of pairs, copied in one piece, then each row's labels into a contiguous block.
    const span = (rows - 1) * srcStride + 2 * n;
    const inBytes = (span * 4 + 15) & ~15;
    const u16 = dst instanceof Uint16Array;
    const rowBytes = (n * (u16 ? 2 : 1) + 15) & ~15;
    const buffer = this.reserve(inBytes + rows * rowBytes);
    new Float32Array(buffer, 0, span).set(src.subarray(srcStart, srcStart + span));
    const kernel = u16 ? this.x.argmax2U16 : this.x.argmax2U8;
    for (let r = 0; r < rows; r++) kernel(r * srcStride * 4, inBytes + r * rowBytes, n, v0, v1);
    const labels = u16 ? new Uint16Array(buffer, inBytes) : new Uint8Array(buffer, inBytes);
    const rowLabels = rowBytes / (u16 ? 2 : 1);
    for (let r = 0; r < rows; r++) dst.set(labels.subarray(r * rowLabels, r * rowLabels + n), dstStart + r * dstStride);
  }
}

let shared: SimdKernels | null | undefined;

/** The shared kernel instance, or null where WebAssembly SIMD is not available. */
export function simdKernels(): SimdKernels | null {
  if (shared === undefined) {
    shared = null;
    try {
      if (typeof WebAssembly === "object") {
        const bytes = assemble();
        if (WebAssembly.validate(bytes)) shared = new SimdKernels(new WebAssembly.Instance(new WebAssembly.Module(bytes)));
      }
    } catch {
      shared = null;
    }
  }
  return shared;
}
