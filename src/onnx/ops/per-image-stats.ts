/**
 * Per-image mean and standard deviation in float64, shared by `per-image-standardization` and
 * the per-image modes of `zero-mean-unit-variance`, over given axes: all non-batch axes (joint,
 * the default) or H, W only (per channel, see stat-scope.ts).
 *
 * Summing a 512² or 1024² float32 image in float32 (what a plain ReduceMean does) drifts by
 * ~1e-5 relative, and models amplify that; so the statistics and the standardization run in
 * float64 inside the graph (Cast → two-pass ReduceMean → Sub/Mul/Sqrt → Div) and only the result
 * is cast back to float32, which makes it the correctly rounded float32 of the float64 formula.
 * Opset-correct through `GraphBuilder.reduce`. Isomorphic.
 */
import { TensorProto_DataType as DT } from "onnx-buf";
import { imageAxes } from "./params.js";
import type { OpContext, TensorState } from "./types.js";

export interface PerImageStats {
  /** x − mean, float64, the shape of x. */
  centered: string;
  /** Population standard deviation per image, float64, x's rank with 1 on `axes` ([N, 1, …, 1] joint). */
  std: string;
  /** The axes the statistics run over. */
  axes: number[];
}

/** Emit the float64 statistics of a float32 NHWC tensor over `axes` (default: all non-batch axes). */
export function perImageStats(ctx: OpContext, x: TensorState, axes: number[] = imageAxes(x)): PerImageStats {
  const b = ctx.builder;
  const xd = b.cast(x.name, DT.DOUBLE);
  const centered = b.op("Sub", [xd, b.reduce("ReduceMean", xd, axes, true)]);
  const variance = b.reduce("ReduceMean", b.op("Mul", [centered, centered]), axes, true);
  return { centered, std: b.op("Sqrt", [variance]), axes };
}

/** `centered / denominator` in float64, cast back to float32: the result tensor. */
export function divideToFloat(ctx: OpContext, x: TensorState, centered: string, denominator: string): TensorState {
  const b = ctx.builder;
  return { ...x, name: b.cast(b.op("Div", [centered, denominator]), DT.FLOAT) };
}
