/**
 * Pixel conversion: from image samples (any `SampleType`, 1–4 interleaved samples per pixel,
 * optionally several C planes) to the float32 NHWC values a model expects.
 *
 * Owns the channel-mapping rules and the intensity scaling (docs/inference.md#intensity-scaling, docs/inference.md#channel-mapping):
 *
 * Channel mapping (model channels M, image samples per pixel S):
 * - Alpha is dropped, except for a 4-channel (BGRA) model, which gets the image's alpha or,
 *   when the image has none, a fully opaque alpha (1.0 after scaling).
 * - M = 1: grey is fed as is; colour is converted to grey with the plain mean (R+G+B)/3
 *   (ZEN's `ConvertToMonochrome` formula is unpublished; libCZI uses the mean).
 * - M = 3 / 4: colour goes in the model's order, `bgr` for ZEN models (reversed from RGB
 *   sources, untouched from BGR sources), or `rgb`, or `as-is` (no reordering). A legacy
 *   `ConvertToMonochrome` model gets the grey mean in every colour channel. A grey image is
 *   replicated into the colour channels (noted in the result).
 * - Grey images with several C planes: when C is a multiple of M (M > 1), each group of M
 *   consecutive C planes becomes one model input, in C order (`groupChannels`).
 * - M = S otherwise (e.g. grey+alpha into a 2-channel model): samples as stored.
 * - Anything else: a `CzmodelError` naming both counts (and, when the model's tile and channel
 *   count look like a channels-first model read as NHWC, the --channels-first hint).
 *
 * Scaling: value' = (value − min) / (max − min), computed in float64 and stored as float32.
 * `auto` follows the model (`scaleInputs`: CZANN always; legacy only when
 * `ScaleInputsByBitdepth` is true — czmodel-made legacy files expect raw values, see
 * `EngineModel`). Range `dtype` = [0, 255] for uint8 and [0, 65535] for
 * uint16 (the napari plugin's `np.iinfo(dtype).max`); float samples are left untouched
 * (assumed in [0, 1]); other integer types need an explicit range. `bitdepth` uses
 * 2^significantBits − 1 when the image records it. An explicit `[min, max]` is always applied
 * unless scaling is `off`.
 */
import { invalidArgument, unsupported } from "../errors.js";
import { channelsFirstHint } from "../onnx/layout-guess.js";
import type { ImageInfo, SampleArray, SampleOrder, SampleType } from "../io/types.js";
import type { SimdKernels } from "./simd.js";
import type { ChannelOrderOption, EngineModel, IntensityRange, RescaleOption } from "./types.js";

/** One model channel: the mean of some source samples, or a constant (already scaled). */
type ChannelSource = { kind: "samples"; picks: { plane: number; sample: number }[] } | { kind: "constant"; value: "opaque" };

export interface ChannelMapping {
  /** C planes combined into one model input (1 unless grey C planes are grouped). */
  planesPerInput: number;
  /** One entry per model channel. */
  channels: ChannelSource[];
  /** Short human description, e.g. `rgb -> BGR`. */
  description: string;
  notes: string[];
}

export interface ChannelMappingRequest {
  samplesPerPixel: number;
  sampleOrder: SampleOrder;
  /** Number of C planes in the image. */
  cPlanes: number;
  modelChannels: number;
  /** The model's own colour order (ZEN: `bgr`). */
  modelOrder: "bgr" | "rgb";
  /** User override of the order fed to colour models. */
  channelOrder?: ChannelOrderOption;
  colorHandling?: "convert-to-monochrome" | "split-rgb";
  groupChannels?: "auto" | "always" | "never";
  /** Appended to the mismatch error (the channels-first hint). */
  hint?: string;
}

const SAMPLES_FOR_ORDER: Record<SampleOrder, number> = { gray: 1, "gray-alpha": 2, rgb: 3, bgr: 3, rgba: 4, bgra: 4 };

/** Decide how image samples become model channels. Throws when they cannot be mapped. */
export function planChannels(req: ChannelMappingRequest): ChannelMapping {
  const { samplesPerPixel: s, sampleOrder: order, modelChannels: m } = req;
  if (!Number.isInteger(m) || m < 1) throw invalidArgument(`model input channels ${m} is not a positive integer`);
  if (s < 1 || s > 4 || SAMPLES_FOR_ORDER[order] !== s) {
    throw unsupported(`image has ${s} samples per pixel in order '${order}'`, {
      allowed: "1 (gray), 2 (gray-alpha), 3 (rgb/bgr) or 4 (rgba/bgra) samples per pixel",
    });
  }
  const colour = order === "rgb" || order === "bgr" || order === "rgba" || order === "bgra";
  const alphaSample = order === "gray-alpha" ? 1 : order === "rgba" || order === "bgra" ? 3 : -1;
  const r = order.startsWith("bgr") ? 2 : 0;
  const b = order.startsWith("bgr") ? 0 : 2;
  const pick = (sample: number, plane = 0) => ({ plane, sample });
  const samples = (...picks: { plane: number; sample: number }[]): ChannelSource => ({ kind: "samples", picks });
  const opaque: ChannelSource = { kind: "constant", value: "opaque" };
  const notes: string[] = [];
  const mismatch = () =>
    unsupported(
      `cannot map the image's ${s} sample(s) per pixel (${order})${req.cPlanes > 1 ? ` and ${req.cPlanes} C planes` : ""} to the model's ${m} input channel(s)${req.hint ?? ""}`,
      {
        allowed:
          "a 1-channel model (any image), a 3/4-channel model (grey or colour), or as many image samples or grey C planes (a multiple) as model channels",
      },
    );

  // Grey C planes grouped into the model's channels.
  const groupable = !colour && m > 1 && req.cPlanes >= m && req.cPlanes % m === 0;
  const group = req.groupChannels ?? "auto";
  if (group === "always" && !groupable) {
    throw invalidArgument(`cannot group ${req.cPlanes} C plane(s) of ${order} samples into the model's ${m} input channels`, {
      where: "groupChannels",
      allowed: "grey images whose C count is a multiple of the model's channels",
    });
  }
  if (groupable && group !== "never") {
    return {
      planesPerInput: m,
      channels: Array.from({ length: m }, (_, k) => samples(pick(0, k))),
      description: `C planes in groups of ${m} -> ${m} channels (C order)`,
      notes,
    };
  }

  if (m === 1) {
    if (!colour) return { planesPerInput: 1, channels: [samples(pick(0))], description: "gray", notes };
    return {
      planesPerInput: 1,
      channels: [samples(pick(0), pick(1), pick(2))],
      description: `${order} -> gray (mean of R, G, B)`,
      notes,
    };
  }

  if (m === 3 || m === 4) {
    const target = req.channelOrder ?? req.modelOrder;
    let channels: ChannelSource[];
    let description: string;
    if (!colour) {
      channels = [samples(pick(0)), samples(pick(0)), samples(pick(0))];
      description = "gray -> replicated into 3 channels";
      notes.push(`the grey image is replicated into the model's ${m === 3 ? "3 colour" : "3 colour + alpha"} channels`);
    } else if (req.colorHandling === "convert-to-monochrome") {
      const mean = samples(pick(0), pick(1), pick(2));
      channels = [mean, mean, mean];
      description = `${order} -> gray (mean of R, G, B) in every colour channel (ConvertToMonochrome)`;
    } else if (target === "as-is") {
      channels = [samples(pick(0)), samples(pick(1)), samples(pick(2))];
      description = `${order} -> as stored`;
    } else {
      const first = target === "bgr" ? b : r;
      const last = target === "bgr" ? r : b;
      channels = [samples(pick(first)), samples(pick(1)), samples(pick(last))];
      description = `${order} -> ${target.toUpperCase()}`;
    }
    if (m === 4) {
      if (alphaSample >= 0) channels.push(samples(pick(alphaSample)));
      else {
        channels.push(opaque);
        notes.push("the image has no alpha: the model's alpha channel is fed fully opaque (1.0)");
      }
      description += colour || alphaSample >= 0 ? " + alpha" : " + opaque alpha";
    }
    return { planesPerInput: 1, channels, description, notes };
  }

  if (m === s) {
    return {
      planesPerInput: 1,
      channels: Array.from({ length: m }, (_, k) => samples(pick(k))),
      description: `${order} -> ${m} channels as stored`,
      notes,
    };
  }
  throw mismatch();
}

/** The affine map applied to samples before they are fed to the model. */
export interface Scaling {
  applied: boolean;
  min: number;
  max: number;
  description: string;
}

const DTYPE_MAX: Partial<Record<SampleType, number>> = { uint8: 255, uint16: 65535 };

export interface ScalingRequest {
  sampleType: SampleType;
  significantBits?: number;
  modelScales: boolean;
  rescale?: RescaleOption;
  range?: IntensityRange;
}

/** Decide the intensity scaling (see the module doc). */
export function planScaling(req: ScalingRequest): Scaling {
  const rescale = req.rescale ?? "auto";
  const range = req.range ?? "dtype";
  const explicit = Array.isArray(range) ? (range as readonly [number, number]) : null;
  if (explicit) {
    const [lo, hi] = explicit;
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) {
      throw invalidArgument(`intensity range [${lo}, ${hi}] is not valid`, {
        where: "--intensity-range",
        allowed: "two finite numbers min,max with max > min",
      });
    }
  }
  if (rescale === "off") {
    if (explicit) {
      throw invalidArgument("an explicit intensity range was given but rescaling is off", {
        where: "--intensity-range",
        allowed: "--rescale auto or on with an explicit range",
      });
    }
    return { applied: false, min: 0, max: 1, description: "none (rescaling off)" };
  }
  if (explicit) {
    return { applied: true, min: explicit[0], max: explicit[1], description: `map [${explicit[0]}, ${explicit[1]}] to [0, 1]` };
  }
  if (rescale === "auto" && !req.modelScales) {
    return { applied: false, min: 0, max: 1, description: "none (the model does not scale inputs)" };
  }
  const t = req.sampleType;
  if (t === "float32" || t === "float64") {
    return { applied: false, min: 0, max: 1, description: `none (${t} samples are assumed to be in [0, 1])` };
  }
  const dtypeMax = DTYPE_MAX[t];
  if (dtypeMax === undefined) {
    throw unsupported(`no defined intensity range for ${t} samples`, {
      where: "--intensity-range",
      allowed: "an explicit range min,max (ZEN defines scaling for uint8 and uint16 only)",
    });
  }
  if (range === "bitdepth") {
    const bits = req.significantBits;
    if (bits !== undefined && Number.isInteger(bits) && bits >= 1 && 2 ** bits - 1 <= dtypeMax) {
      const max = 2 ** bits - 1;
      return { applied: true, min: 0, max, description: `divide by ${max} (${bits}-bit data)` };
    }
    return { applied: true, min: 0, max: dtypeMax, description: `divide by ${dtypeMax} (${t} range; the image records no bit depth)` };
  }
  return { applied: true, min: 0, max: dtypeMax, description: `divide by ${dtypeMax} (${t} range)` };
}

/** Where to read one model tile from: sample windows and per-axis index maps into them. */
export interface TileSamples {
  /** `windows[z][plane]`: samples of one read window (`readWidth` wide, `samplesPerPixel` interleaved). */
  windows: SampleArray[][];
  readWidth: number;
  samplesPerPixel: number;
  /** Window index for each tile z (length 1 for 2-D models). */
  zMap: Int32Array;
  /** Row inside the window for each tile row. */
  rowMap: Int32Array;
  /** Column inside the window for each tile column. */
  colMap: Int32Array;
}

/**
 * Write one tile of model input, NHWC (or NDHWC), at `out[offset …]`:
 * `zMap.length × rowMap.length × colMap.length × channels.length` float32 values.
 * Loops channel by channel inside each row so every inner loop reads one typed array; the
 * common case (one channel, one sample per pixel, no reflection) is one contiguous loop, or
 * one SIMD call per slice when `simd` kernels are given (same values, see `simd.ts`).
 */
export function fillTile(
  out: Float32Array,
  offset: number,
  src: TileSamples,
  mapping: ChannelMapping,
  scaling: Scaling,
  simd: SimdKernels | null = null,
): void {
  if (simd && fillTileSimd(out, offset, src, mapping, scaling, simd)) return;
  const m = mapping.channels.length;
  const s = src.samplesPerPixel;
  const span = scaling.max - scaling.min;
  const min = scaling.min;
  const { zMap, rowMap, colMap, readWidth } = src;
  const w = colMap.length;
  // Column offsets (in samples) inside a window row, shared by every row.
  const cols = new Int32Array(w);
  for (let x = 0; x < w; x++) cols[x] = colMap[x]! * s;
  // A row without reflection reads samples at a constant stride.
  const stride = w > 1 ? cols[1]! - cols[0]! : 0;
  const plain = w > 1 && cols[w - 1] === cols[0]! + (w - 1) * stride;
  let o = offset;
  for (let zi = 0; zi < zMap.length; zi++) {
    const planes = src.windows[zMap[zi]!]!;
    for (let yi = 0; yi < rowMap.length; yi++) {
      const rowBase = rowMap[yi]! * readWidth * s;
      for (let k = 0; k < m; k++) {
        const ch = mapping.channels[k]!;
        if (ch.kind === "constant") {
          for (let x = 0, d = o + k; x < w; x++, d += m) out[d] = 1;
        } else if (ch.picks.length === 1) {
          const pick = ch.picks[0]!;
          const samples = planes[pick.plane]!;
          const base = rowBase + pick.sample;
          if (plain && m === 1 && stride === 1) fillContiguous(out, o, w, samples, base + cols[0]!, min, span);
          else if (plain) fillRun(out, o + k, m, w, samples, base + cols[0]!, stride, min, span);
          else fillMapped(out, o + k, m, samples, base, cols, min, span);
        } else {
          const n = ch.picks.length;
          for (let x = 0, d = o + k; x < w; x++, d += m) {
            let sum = 0;
            for (let j = 0; j < n; j++) {
              const pick = ch.picks[j]!;
              sum += planes[pick.plane]![rowBase + cols[x]! + pick.sample]!;
            }
            out[d] = (sum / n - min) / span;
          }
        }
      }
      o += w * m;
    }
  }
}

/**
 * The common case on SIMD: one model channel from one uint8 / uint16 sample per pixel, read
 * without reflection (consecutive rows, a contiguous run of columns), converted in one call
 * per Z slice. False (nothing written) when the case does not apply.
 */
function fillTileSimd(
  out: Float32Array,
  offset: number,
  src: TileSamples,
  mapping: ChannelMapping,
  scaling: Scaling,
  simd: SimdKernels,
): boolean {
  const ch = mapping.channels;
  if (ch.length !== 1 || ch[0]!.kind !== "samples" || ch[0]!.picks.length !== 1 || src.samplesPerPixel !== 1) return false;
  const { rowMap, colMap, readWidth, zMap } = src;
  const h = rowMap.length;
  const w = colMap.length;
  if (h === 0 || w === 0 || colMap[w - 1] !== colMap[0]! + w - 1) return false;
  for (let x = 1; x < w; x++) if (colMap[x] !== colMap[0]! + x) return false;
  for (let y = 1; y < h; y++) if (rowMap[y] !== rowMap[0]! + y) return false;
  const plane = ch[0]!.picks[0]!.plane;
  for (let zi = 0; zi < zMap.length; zi++) {
    const samples = src.windows[zMap[zi]!]![plane]!;
    if (!(samples instanceof Uint16Array || samples instanceof Uint8Array)) return false;
    const at = offset + zi * h * w;
    const start = rowMap[0]! * readWidth + colMap[0]!;
    if (!simd.scale(samples, start, readWidth, h, w, out.subarray(at, at + h * w), scaling.min, scaling.max - scaling.min)) return false;
  }
  return true;
}

// The inner loops, kept apart so each stays small and monomorphic.

function fillContiguous(out: Float32Array, d: number, n: number, samples: SampleArray, i: number, min: number, span: number): void {
  for (let x = 0; x < n; x++) out[d + x] = (samples[i + x]! - min) / span;
}

function fillRun(
  out: Float32Array,
  d: number,
  step: number,
  n: number,
  samples: SampleArray,
  i: number,
  stride: number,
  min: number,
  span: number,
): void {
  for (let x = 0; x < n; x++, d += step, i += stride) out[d] = (samples[i]! - min) / span;
}

function fillMapped(
  out: Float32Array,
  d: number,
  step: number,
  samples: SampleArray,
  base: number,
  cols: Int32Array,
  min: number,
  span: number,
): void {
  for (let x = 0; x < cols.length; x++, d += step) out[d] = (samples[base + cols[x]!]! - min) / span;
}

/** The options of `predict` that decide how image pixels become model input. */
export interface ModelInputOptions {
  channelOrder?: ChannelOrderOption;
  groupChannels?: "auto" | "always" | "never";
  rescale?: RescaleOption;
  intensityRange?: IntensityRange;
}

/** Channel mapping and intensity scaling for feeding `info`'s pixels to `model`. */
export function planModelInput(
  model: Pick<EngineModel, "inputChannels" | "channelOrder" | "colorHandling" | "tile" | "scaleInputs">,
  info: ImageInfo,
  options: ModelInputOptions = {},
): { mapping: ChannelMapping; scaling: Scaling } {
  const mapping = planChannels({
    samplesPerPixel: info.samplesPerPixel,
    sampleOrder: info.sampleOrder,
    cPlanes: info.sizes.c,
    modelChannels: model.inputChannels,
    modelOrder: model.channelOrder ?? "bgr",
    ...(options.channelOrder ? { channelOrder: options.channelOrder } : {}),
    ...(model.colorHandling ? { colorHandling: model.colorHandling } : {}),
    ...(options.groupChannels ? { groupChannels: options.groupChannels } : {}),
    ...(model.tile ? { hint: channelsFirstHint([1, ...model.tile, model.inputChannels]) } : {}),
  });
  const scaling = planScaling({
    sampleType: info.sampleType,
    ...(info.significantBits !== undefined ? { significantBits: info.significantBits } : {}),
    modelScales: model.scaleInputs,
    ...(options.rescale ? { rescale: options.rescale } : {}),
    ...(options.intensityRange ? { range: options.intensityRange } : {}),
  });
  return { mapping, scaling };
}
