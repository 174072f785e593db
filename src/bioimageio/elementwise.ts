/**
 * bioimage.io processing steps as JS functions of one value, per channel, computed in float32
 * the way the graph ops of src/onnx/ops compute them (constants rounded to float32, every
 * operation rounded to float32). They give the values a later statistics step sees: when
 * `scale_linear` precedes `zero_mean_unit_variance`, the statistics pass maps each value
 * through the scale first, so the mean and std are those of the scaled tensor.
 *
 * Elementwise steps only: `ensure_dtype` to float (identity), `scale_linear`,
 * `fixed_zero_mean_unit_variance`, `clip` with fixed bounds, `sigmoid`, `binarize`, and the
 * statistics steps once their values are known (as fixed affine maps or clips). `softmax` mixes
 * the channels and is refused before a statistics step. Isomorphic.
 */
import { unsupported } from "../errors.js";
import { floorToFloat32 } from "../onnx/ops/binarize.js";
import type { AxisValues, ProcessingStep, TensorDescription } from "./description.js";

export type ValueFn = (x: number) => number;
/** One function per channel; null means identity for every channel. */
export type ChannelFunctions = ValueFn[] | null;

const f32 = Math.fround;

/** `v` (a scalar or values along the channel axis) as one number per channel. */
function perChannel(v: AxisValues, channels: number, tensor: TensorDescription, where: string): number[] {
  if (typeof v === "number") return Array<number>(channels).fill(v);
  const axis = tensor.axes.find((a) => a.id === v.axis);
  if (axis?.type !== "channel") throw unsupported(`values along axis ${v.axis} (only along the channel axis can be mapped)`, { where });
  if (v.values.length !== channels) throw unsupported(`${v.values.length} values for ${channels} channels`, { where });
  return [...v.values];
}

/** The graph's `scale-linear=G/O`: Mul by float32 G (skipped when every G is 1), Add float32 O (skipped when every O is 0). */
export function scaleLinearFns(gain: number[], offset: number[]): ValueFn[] {
  const mul = !gain.every((g) => g === 1);
  const add = !offset.every((o) => o === 0);
  return gain.map((g, c) => {
    const G = f32(g);
    const O = f32(offset[c]!);
    return (x: number) => {
      let y = x;
      if (mul) y = f32(y * G);
      if (add) y = f32(y + O);
      return y;
    };
  });
}

/** `(x − a) / d` with float32 constants a and d (the graph's fixed zero-mean-unit-variance and scale-range). */
export function subtractDivideFns(subtract: number[], divisor: number[]): ValueFn[] {
  return subtract.map((a, c) => {
    const A = f32(a);
    const D = f32(divisor[c]!);
    return (x: number) => f32(f32(x - A) / D);
  });
}

/** ONNX Clip: min(max(x, lo), hi) with float32 bounds (null: unbounded). */
export function clipFns(lo: number | null, hi: number | null, channels: number): ValueFn[] {
  const L = lo === null ? -Infinity : f32(lo);
  const H = hi === null ? Infinity : f32(hi);
  return Array.from({ length: channels }, () => (x: number) => Math.min(Math.max(x, L), H));
}

/** Compose `first` then `then`, channel by channel. */
export function compose(first: ChannelFunctions, then: ChannelFunctions): ChannelFunctions {
  if (!first) return then;
  if (!then) return first;
  return first.map((f, c) => {
    const g = then[c]!;
    return (x: number) => g(f(x));
  });
}

/** The functions of a step without statistics (null: identity). */
export function stepFunctions(step: ProcessingStep, tensor: TensorDescription, channels: number, where: string): ChannelFunctions {
  switch (step.id) {
    case "ensure_dtype":
      if (!/^float(32|64)$/.test(step.dtype))
        throw unsupported(`ensure_dtype to ${step.dtype} before a statistics step`, { where, allowed: "float32 / float64" });
      return null;
    case "scale_linear":
      return scaleLinearFns(perChannel(step.gain, channels, tensor, where), perChannel(step.offset, channels, tensor, where));
    case "fixed_zero_mean_unit_variance": {
      const std = perChannel(step.std, channels, tensor, where);
      return subtractDivideFns(
        perChannel(step.mean, channels, tensor, where),
        std.map((s) => s + step.eps),
      );
    }
    case "clip":
      if (step.minPercentile !== null || step.maxPercentile !== null) break;
      return clipFns(step.min, step.max, channels);
    case "sigmoid":
      return Array.from({ length: channels }, () => (x: number) => f32(1 / (1 + Math.exp(-x))));
    case "binarize": {
      const t = perChannel(step.threshold, channels, tensor, where).map(floorToFloat32);
      return t.map((T) => (x: number) => (x > T ? 1 : 0));
    }
    case "softmax":
      throw unsupported("softmax before a statistics step (it mixes the channels, so the statistics pass cannot follow it)", { where });
    default:
      break;
  }
  throw unsupported(`${step.id} before a statistics step cannot be followed by the statistics pass`, { where });
}
