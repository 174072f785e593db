/**
 * `scale-range` (bioimage.io `scale_range`): out = (x − lo) / (hi − lo + eps).
 * - `scale-range=MIN/MAX[/EPS]`: fixed lo = MIN, hi = MAX (each a number or per channel).
 * - `scale-range`: lo/hi = minimum/maximum of each image over H, W, C (percentiles 0 and 100).
 * eps defaults to 1e-6. Values outside [lo, hi] are not clipped (add `clip=0/1`). Isomorphic.
 */
import { invalidArgument } from "../../errors.js";
import {
  formatPerChannel,
  imageAxes,
  parseNumber,
  parsePerChannel,
  perChannelConst,
  requireFloat,
  requireRank,
  splitParams,
  type PerChannel,
} from "./params.js";
import type { OpDescriptor } from "./types.js";

const SYNTAX = "scale-range (per-image min/max) or scale-range=MIN/MAX[/EPS]";

export type ScaleRangeParams = { mode: "per-image"; eps: number } | { mode: "fixed"; min: PerChannel; max: PerChannel; eps: number };

const asList = (v: PerChannel, n: number) => (typeof v === "number" ? Array<number>(n).fill(v) : v);

export const scaleRange: OpDescriptor<ScaleRangeParams> = {
  name: "scale-range",
  kind: "pre-or-post",
  syntax: SYNTAX,
  summary: "(x - MIN) / (MAX - MIN + eps); fixed MIN/MAX, or each image's min/max (bioimage.io)",
  parse(value, where) {
    if (value === undefined) return { mode: "per-image", eps: 1e-6 };
    const parts = splitParams(value, where, [2, 3], SYNTAX);
    const min = parsePerChannel(parts[0]!, where, "min");
    const max = parsePerChannel(parts[1]!, where, "max");
    const eps = parts[2] === undefined ? 1e-6 : parseNumber(parts[2], where, "eps");
    if (eps < 0) throw invalidArgument(`eps ${eps} is negative`, { where, allowed: "eps >= 0" });
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
      ? `(x − min) / (max − min + ${p.eps}) per image`
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
    requireRank(ctx, x, 2);
    const axes = imageAxes(x);
    const lo = b.reduce("ReduceMin", x.name, axes, true);
    const hi = b.reduce("ReduceMax", x.name, axes, true);
    const range = b.op("Add", [b.op("Sub", [hi, lo]), b.scalar(p.eps, "eps")]);
    return { ...x, name: b.op("Div", [b.op("Sub", [x.name, lo]), range]) };
  },
};
