/**
 * What the engine writes (docs/inference.md#output-conversion): the output targets of a run and the conversion of
 * model output (float32, K values per pixel) into them.
 *
 * - labels: `value of argmax_k p_k` (ties → lowest k, as numpy), i.e. class index + 1 by
 *   default; uint8 when every label value is <= 255, else uint16. Pixels whose best
 *   probability is below `minConfidence` get the unclassified value 0. No softmax is applied:
 *   ZEN models output probabilities already.
 * - probabilities: the K model outputs as float32 samples (class names as channel names).
 * - regression: the C_out model outputs as float32 samples.
 * Label images carry the class names, values and colours in `OutputImageInfo.classes`.
 */
import { invalidArgument, invalidModel } from "../errors.js";
import type { ImageSink, OutputClass, OutputImageInfo, PhysicalSize, PlaneSizes, SampleArray, TModulo } from "../io/types.js";
import { allocSamples } from "../io/types.js";
import { classColors } from "../metadata/class-colors.js";
import type { SimdKernels } from "./simd.js";
import type { EngineModel } from "./types.js";

export type OutputKind = "labels" | "probabilities" | "regression";

const UNCLASSIFIED_VALUE = 0;

export interface OutputTarget {
  kind: OutputKind;
  sink: ImageSink;
  info: OutputImageInfo;
}

/** Class list with values and colours filled in; checks values are unique and >= 1. */
export function resolveClasses(model: EngineModel, k: number): OutputClass[] {
  const given = model.classes;
  if (given && given.length !== k) {
    throw invalidModel(`the model outputs ${k} channel(s) but its metadata lists ${given.length} classes`, { where: model.name });
  }
  const colours = classColors(k);
  const classes = Array.from({ length: k }, (_, i): OutputClass => {
    const c = given?.[i];
    return { value: c?.value ?? i + 1, name: c?.name ?? `class${i + 1}`, color: c?.color ?? colours[i]! };
  });
  const seen = new Set<number>();
  for (const c of classes) {
    if (!Number.isInteger(c.value) || c.value < 1 || c.value > 65535 || seen.has(c.value)) {
      throw invalidModel(`class '${c.name}' has label value ${c.value}`, {
        where: model.name,
        allowed: "unique integers 1..65535 (0 is the unclassified value)",
      });
    }
    seen.add(c.value);
  }
  return classes;
}

export interface OutputContext {
  model: EngineModel;
  width: number;
  height: number;
  sizes: PlaneSizes;
  /** The extra dimension the output's T axis holds (`--plane h=0-3`). */
  tModulo?: TModulo;
  physicalSize?: PhysicalSize;
  /** Names of the output C planes (from the input's channel names). */
  planeNames?: string[];
  /** Model output channels (K or C_out). */
  channels: number;
  minConfidence?: number;
  description: Record<string, unknown>;
}

/** Describe the output image of one kind. */
export function outputInfo(kind: OutputKind, ctx: OutputContext): OutputImageInfo {
  const base = {
    width: ctx.width,
    height: ctx.height,
    sizes: ctx.sizes,
    ...(ctx.tModulo ? { tModulo: ctx.tModulo } : {}),
    ...(ctx.physicalSize ? { physicalSize: ctx.physicalSize } : {}),
    ...(ctx.planeNames ? { planeNames: ctx.planeNames } : {}),
    description: ctx.description,
  };
  if (kind === "regression") {
    return {
      ...base,
      kind,
      samplesPerPixel: ctx.channels,
      sampleType: "float32",
      channelNames: Array.from({ length: ctx.channels }, (_, i) => `ch${i}`),
    };
  }
  const classes = resolveClasses(ctx.model, ctx.channels);
  if (kind === "probabilities") {
    return { ...base, kind, samplesPerPixel: ctx.channels, sampleType: "float32", channelNames: classes.map((c) => c.name), classes };
  }
  const maxValue = Math.max(...classes.map((c) => c.value));
  return {
    ...base,
    kind,
    samplesPerPixel: 1,
    sampleType: maxValue <= 255 ? "uint8" : "uint16",
    classes,
    unclassifiedValue: UNCLASSIFIED_VALUE,
  };
}

/** Check a `minConfidence` option. */
export function checkMinConfidence(v: number | undefined): number {
  if (v === undefined) return -Infinity;
  if (!Number.isFinite(v) || v < 0 || v > 1) {
    throw invalidArgument(`minimum confidence ${v} is not valid`, { where: "--min-confidence", allowed: "a number in [0, 1]" });
  }
  return v;
}

/** A box of pixels in a z/y/x-strided buffer (strides in pixels). */
export interface PixelBox {
  data: Float32Array | SampleArray;
  /** Pixel index of the box's first pixel. */
  offset: number;
  strideZ: number;
  strideY: number;
}

export interface ConvertSpec {
  kind: OutputKind;
  /** Model output channels. */
  channels: number;
  /** Label value per class (labels only). */
  labelValues: ArrayLike<number>;
  /** Labels only: best probability below this → unclassified. */
  minConfidence: number;
}

/**
 * Convert a `nz × ny × nx` box of model output (`src`, `channels` floats per pixel) into the
 * output samples at `dst` (1 sample per pixel for labels, `channels` otherwise). Labels have
 * row loops of their own for the common two-class model, with and without a confidence
 * threshold (this runs on every output pixel), and use the SIMD kernels when given.
 */
export function convertBox(
  spec: ConvertSpec,
  src: PixelBox,
  dst: PixelBox,
  nz: number,
  ny: number,
  nx: number,
  simd: SimdKernels | null = null,
): void {
  const k = spec.channels;
  const s = src.data as Float32Array;
  const d = dst.data;
  const labels = spec.kind === "labels";
  const values = spec.labelValues;
  const minConf = spec.minConfidence;
  const v0 = values[0] ?? 0;
  const v1 = values[1] ?? 0;
  if (simd && labels && k === 2 && minConf === -Infinity && (d instanceof Uint8Array || d instanceof Uint16Array) && ny > 0 && nx > 0) {
    for (let z = 0; z < nz; z++) {
      simd.argmax2(s, (src.offset + z * src.strideZ) * 2, src.strideY * 2, d, dst.offset + z * dst.strideZ, dst.strideY, ny, nx, v0, v1);
    }
    return;
  }
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const sp = (src.offset + z * src.strideZ + y * src.strideY) * k;
      const dp = dst.offset + z * dst.strideZ + y * dst.strideY;
      if (!labels) (d as Float32Array).set(s.subarray(sp, sp + nx * k), dp * k);
      else if (k === 2 && minConf === -Infinity) argmax2(s, sp, d, dp, nx, v0, v1);
      else if (k === 2) argmax2Confident(s, sp, d, dp, nx, v0, v1, minConf);
      else argmaxRow(s, sp, d, dp, nx, k, values, minConf);
    }
  }
}

// Label rows: `value of argmax_k p_k` (ties → lowest k); below `minConf` → unclassified.

function argmax2(s: Float32Array, sp: number, d: SampleArray, dp: number, n: number, v0: number, v1: number): void {
  for (let x = 0; x < n; x++, sp += 2) d[dp + x] = s[sp + 1]! > s[sp]! ? v1 : v0;
}

function argmax2Confident(
  s: Float32Array,
  sp: number,
  d: SampleArray,
  dp: number,
  n: number,
  v0: number,
  v1: number,
  minConf: number,
): void {
  for (let x = 0; x < n; x++, sp += 2) {
    const a = s[sp]!;
    const b = s[sp + 1]!;
    d[dp + x] = b > a ? (b < minConf ? UNCLASSIFIED_VALUE : v1) : a < minConf ? UNCLASSIFIED_VALUE : v0;
  }
}

function argmaxRow(
  s: Float32Array,
  sp: number,
  d: SampleArray,
  dp: number,
  n: number,
  k: number,
  values: ArrayLike<number>,
  minConf: number,
): void {
  for (let x = 0; x < n; x++, sp += k) {
    let best = s[sp]!;
    let bi = 0;
    for (let c = 1; c < k; c++) {
      const v = s[sp + c]!;
      if (v > best) {
        best = v;
        bi = c;
      }
    }
    d[dp + x] = best < minConf ? UNCLASSIFIED_VALUE : values[bi]!;
  }
}

/** Allocate an output buffer of `pixels` pixels for a target. */
export function allocOutput(info: OutputImageInfo, pixels: number): SampleArray {
  return allocSamples(info.sampleType, pixels * info.samplesPerPixel);
}
