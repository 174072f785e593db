/**
 * `scale-range` (bioimage.io `scale_range`): out = (x − lo) / (hi − lo + eps), eps 1e-6 unless
 * given. Values outside [lo, hi] are not clipped (add `clip=0/1`).
 * - `scale-range=MIN/MAX[/EPS]`: fixed lo = MIN, hi = MAX (each a number or per channel), in float32.
 * - `scale-range` / `scale-range=SCOPE`: lo/hi = minimum/maximum of each image of the batch
 *   (each tile in ZEN) over the scope: `joint` (H, W, C; the default) or `per-channel` (H, W of
 *   each channel), see stat-scope.ts.
 * - `scale-range=[SCOPE/]pLO/pHI[/EPS]` (`scale-range=p1/p99.8`): lo/hi = the LO-th and HI-th
 *   percentiles of each image over the scope, numpy's `np.quantile(…, method="linear")` (see
 *   percentile.ts); 0 <= LO < 100, 1 < HI <= 100, LO < HI as in bioimage.io; p0/p100 are the
 *   minimum/maximum. Percentiles other than p0/p100 need opset >= 10.
 * The per-image forms compute lo, hi and the result in float64 and cast the result to float32.
 * Isomorphic.
 */
import { TensorProto_DataType as DT } from "onnx-buf";
import { invalidArgument } from "../../errors.js";
import { formatPerChannel, parseNumber, parsePerChannel, perChannelConst, requireFloat, splitParams, type PerChannel } from "./params.js";
import { imagePercentiles } from "./percentile.js";
import { isPercentileToken, parsePercentile, scopeWords, takeScope, type StatScope } from "./stat-scope.js";
import type { OpDescriptor } from "./types.js";

const SYNTAX =
  "scale-range[=SCOPE] (per-image min/max), scale-range=[SCOPE/]pLO/pHI[/EPS] (per-image percentiles) or scale-range=MIN/MAX[/EPS] (fixed)";
const PERCENTILES = "0 <= LO < 100, 1 < HI <= 100, LO < HI (bioimage.io)";
const DEFAULT_EPS = 1e-6;

export type ScaleRangeParams =
  /** lo/hi: percentiles 0..100 of each image over the scope (0 = minimum, 100 = maximum). */
  | { mode: "per-image"; scope: StatScope; lo: number; hi: number; eps: number }
  | { mode: "fixed"; min: PerChannel; max: PerChannel; eps: number };

function parseEps(text: string | undefined, where: string): number {
  if (text === undefined) return DEFAULT_EPS;
  const eps = parseNumber(text, where, "eps");
  if (eps < 0) throw invalidArgument(`eps ${eps} is negative`, { where, allowed: "eps >= 0" });
  return eps;
}

function parsePercentiles(scope: StatScope, rest: string[], where: string): ScaleRangeParams {
  if (rest.length < 2 || rest.length > 3) {
    throw invalidArgument(`expected pLO/pHI[/EPS] after the scope, got ${rest.length} value(s)`, { where, allowed: SYNTAX });
  }
  rest.slice(0, 2).forEach((t, i) => {
    if (isPercentileToken(t)) return;
    const which = i === 0 ? "lower" : "upper";
    const problem =
      t.trim() !== "" && Number.isFinite(Number(t))
        ? `${which} bound ${t.trim()} is a number but the other is a percentile or a scope is given`
        : `${which} bound "${t}" is not a percentile`;
    throw invalidArgument(problem, {
      where,
      allowed: "two percentiles [SCOPE/]pLO/pHI (per image) or two numbers MIN/MAX (fixed, no scope)",
    });
  });
  const lo = parsePercentile(rest[0]!, where, "lower");
  const hi = parsePercentile(rest[1]!, where, "upper");
  if (lo >= 100) throw invalidArgument(`lower percentile p${lo} is not below 100`, { where, allowed: PERCENTILES });
  if (hi <= 1) throw invalidArgument(`upper percentile p${hi} is not above 1`, { where, allowed: PERCENTILES });
  if (lo >= hi) throw invalidArgument(`lower percentile p${lo} is not below the upper percentile p${hi}`, { where, allowed: PERCENTILES });
  return { mode: "per-image", scope, lo, hi, eps: parseEps(rest[2], where) };
}

const boundName = (p: number) => (p === 0 ? "min" : p === 100 ? "max" : `P${p}`);

const asList = (v: PerChannel, n: number) => (typeof v === "number" ? Array<number>(n).fill(v) : v);

export const scaleRange: OpDescriptor<ScaleRangeParams> = {
  name: "scale-range",
  kind: "pre-or-post",
  syntax: SYNTAX,
  summary:
    "(x - lo) / (hi - lo + eps), eps 1e-6, not clipped (bioimage.io): lo/hi = min/max or percentiles pLO/pHI " +
    `(${PERCENTILES.replace(" (bioimage.io)", "")}) of each image (each tile in ZEN) over SCOPE (default joint), in float64; ` +
    "or fixed MIN/MAX (numbers or per channel)",
  parse(value, where) {
    if (value === undefined) return { mode: "per-image", scope: "joint", lo: 0, hi: 100, eps: DEFAULT_EPS };
    const { scope, rest } = takeScope(value.split("/"), where, SYNTAX);
    if (scope && rest.length === 0) return { mode: "per-image", scope, lo: 0, hi: 100, eps: DEFAULT_EPS };
    if (scope || isPercentileToken(rest[0]!) || (rest[1] !== undefined && isPercentileToken(rest[1]))) {
      return parsePercentiles(scope ?? "joint", rest, where);
    }
    const parts = splitParams(value, where, [2, 3], SYNTAX);
    const min = parsePerChannel(parts[0]!, where, "min");
    const max = parsePerChannel(parts[1]!, where, "max");
    const eps = parseEps(parts[2], where);
    const n = Math.max(typeof min === "number" ? 1 : min.length, typeof max === "number" ? 1 : max.length);
    const lo = asList(min, n);
    const hi = asList(max, n);
    if (lo.length !== hi.length) throw invalidArgument("MIN and MAX have different numbers of channels", { where, allowed: SYNTAX });
    lo.forEach((l, i) => {
      if (!(hi[i]! > l)) throw invalidArgument(`MAX ${hi[i]} is not greater than MIN ${l}`, { where, allowed: "MIN < MAX" });
    });
    return { mode: "fixed", min, max, eps };
  },
  describe: (p) =>
    p.mode === "per-image"
      ? `(x − ${boundName(p.lo)}) / (${boundName(p.hi)} − ${boundName(p.lo)} + ${p.eps}) per image ${scopeWords(p.scope)}` +
        (p.lo !== 0 || p.hi !== 100 ? " (numpy linear percentiles)" : "")
      : `(x − ${formatPerChannel(p.min)}) / (${formatPerChannel(p.max)} − ${formatPerChannel(p.min)} + ${p.eps})`,
  apply(ctx, x, p) {
    requireFloat(ctx, x);
    const b = ctx.builder;
    if (p.mode === "fixed") {
      const n = Math.max(typeof p.min === "number" ? 1 : p.min.length, typeof p.max === "number" ? 1 : p.max.length);
      const lo = asList(p.min, n);
      const range = asList(p.max, n).map((h, i) => h - lo[i]! + p.eps);
      const loConst = perChannelConst(ctx, b, x, n === 1 ? lo[0]! : lo, "min");
      const rangeConst = perChannelConst(ctx, b, x, n === 1 ? range[0]! : range, "range");
      return { ...x, name: b.op("Div", [b.op("Sub", [x.name, loConst]), rangeConst]) };
    }
    const [lo, hi] = imagePercentiles(ctx, x, p.scope, [p.lo, p.hi]) as [string, string];
    const range = b.op("Add", [b.op("Sub", [hi, lo]), b.scalarDouble(p.eps, "eps")]);
    const scaled = b.op("Div", [b.op("Sub", [b.cast(x.name, DT.DOUBLE), lo]), range]);
    return { ...x, name: b.cast(scaled, DT.FLOAT) };
  },
  usesImageStatistics: (p) => p.mode === "per-image",
};
