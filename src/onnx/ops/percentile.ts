/**
 * Per-image percentiles inside the graph, for `scale-range` and `clip` with `pN` bounds.
 *
 * Semantics are numpy's `np.quantile(v, q, method="linear")` (the default) in float64, per
 * image of the batch (per tile in ZEN), over the values of the scope (stat-scope.ts): with n
 * values sorted ascending s[0..n-1], q = N / 100,
 *   v = (n − 1)·q,  i = floor(v),  j = min(i + 1, n − 1),  g = v − i,
 *   P = s[i] + (s[j] − s[i])·g        when g < 0.5,
 *   P = s[j] − (s[j] − s[i])·(1 − g)  otherwise        (numpy's `_lerp`, the same rounding).
 * p0 and p100 are the minimum and maximum (ReduceMin/ReduceMax; any opset).
 *
 * Graph: x [N, …, C] is flattened to [N, 1, L] (joint) or transposed and flattened to [N, C, L]
 * (per-channel); n = L is read from Shape at run time, so dynamic spatial dims work. One TopK
 * with a run-time K (opset >= 10) finds the neighbours: the smallest j + 1 values for q <= 0.5,
 * the largest n − i values above, so K stays below about n / 2 (and small for p1 / p99.8).
 * The two neighbours (exact float32 values) are gathered, cast to float64 and interpolated; the
 * result [N, C'] is reshaped to [N, 1, …, 1, C'] to broadcast against x. Isomorphic.
 */
import { TensorProto_DataType as DT } from "onnx-buf";
import { unsupported } from "../../errors.js";
import { TOPK_DYNAMIC_K_FROM } from "../graph/opset.js";
import { scopeAxes, type StatScope } from "./stat-scope.js";
import type { OpContext, TensorState } from "./types.js";

/** True when `p` needs TopK (anything but the minimum p0 and the maximum p100). */
const needsTopK = (p: number): boolean => p !== 0 && p !== 100;

/** Refuse percentiles other than p0/p100 below opset 10, naming the op. */
function requirePercentileOpset(ctx: OpContext, percentiles: number[]): void {
  const opset = ctx.builder.opset;
  if (opset >= TOPK_DYNAMIC_K_FROM || !percentiles.some(needsTopK)) return;
  throw unsupported(`percentiles need ONNX opset >= ${TOPK_DYNAMIC_K_FROM} (TopK with a run-time K), but the model has opset ${opset}`, {
    where: ctx.where,
    allowed: "a model with opset >= 10, or p0/p100 (minimum/maximum), or fixed bounds",
  });
}

/**
 * The percentiles `ps` (each in [0, 100]) of each image of float32 NHWC `x` over `scope`, as
 * float64 tensors shaped to broadcast against x: [N, 1, …, 1] (joint) or [N, 1, …, 1, C].
 */
export function imagePercentiles(ctx: OpContext, x: TensorState, scope: StatScope, ps: number[]): string[] {
  requirePercentileOpset(ctx, ps);
  const b = ctx.builder;
  const axes = scopeAxes(ctx, x, scope);
  let flat: Flat | undefined;
  return ps.map((p) => {
    if (!needsTopK(p)) return b.cast(b.reduce(p === 0 ? "ReduceMin" : "ReduceMax", x.name, axes, true), DT.DOUBLE);
    flat ??= flatten(ctx, x, scope);
    return broadcastBack(ctx, x, percentileOfFlat(ctx, flat, p));
  });
}

interface Flat {
  /** x as [N, C', L] float32 (C' = 1 for joint, C for per-channel). */
  values: string;
  /** L as a float64 scalar. */
  n: string;
}

function flatten(ctx: OpContext, x: TensorState, scope: StatScope): Flat {
  const b = ctx.builder;
  const r = x.dims.length;
  let src = x.name;
  if (scope === "per-channel")
    src = b.op("Transpose", [src], { perm: { ints: [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)] } });
  const values = b.op("Reshape", [src, b.constInt64([0, scope === "joint" ? 1 : 0, -1], [3], "flat_shape")]);
  const length = b.op("Gather", [b.op("Shape", [values]), b.constInt64([2], [], "length_axis")], { axis: { int: 0 } });
  return { values, n: b.cast(length, DT.DOUBLE) };
}

/** numpy's linear-method quantile of each row of flat.values, float64 [N, C']. */
function percentileOfFlat(ctx: OpContext, flat: Flat, p: number): string {
  const b = ctx.builder;
  const toInt = (t: string) => b.cast(t, DT.INT64);
  const one = b.scalarDouble(1, "one");
  const last = b.op("Sub", [flat.n, one]);
  const v = b.op("Mul", [last, b.scalarDouble(p / 100, "q")]);
  const i = b.cast(toInt(v), DT.DOUBLE); // v >= 0: truncation is floor
  const j = b.op("Min", [b.op("Add", [i, one]), last]);
  const g = b.op("Sub", [v, i]);
  const largest = p > 50;
  // positions of s[i] and s[j] in the TopK output (ascending for the smallest, descending for the largest)
  const k = largest ? b.op("Sub", [flat.n, i]) : b.op("Add", [j, one]);
  const pos = (t: string) => toInt(largest ? b.op("Sub", [last, t]) : t);
  const kShape = b.op("Reshape", [toInt(k), b.constInt64([1], [1], "k_shape")]);
  const top = b.topK(flat.values, kShape, 2, largest);
  const at = (t: string) => b.cast(b.op("Gather", [top, pos(t)], { axis: { int: 2 } }), DT.DOUBLE);
  const lo = at(i);
  const hi = at(j);
  const diff = b.op("Sub", [hi, lo]);
  const fromLo = b.op("Add", [lo, b.op("Mul", [diff, g])]);
  const fromHi = b.op("Sub", [hi, b.op("Mul", [diff, b.op("Sub", [one, g])])]);
  return b.op("Where", [b.op("Less", [g, b.scalarDouble(0.5, "half")]), fromLo, fromHi]);
}

/** [N, C'] → [N, 1, …, 1, C'] of x's rank. */
function broadcastBack(ctx: OpContext, x: TensorState, t: string): string {
  const r = x.dims.length;
  const shape = [0, ...Array<number>(r - 2).fill(1), -1];
  return ctx.builder.op("Reshape", [t, ctx.builder.constInt64(shape, [r], "stat_shape")]);
}
