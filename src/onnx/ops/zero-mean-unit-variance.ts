/**
 * `zero-mean-unit-variance` (bioimage.io `zero_mean_unit_variance` and
 * `fixed_zero_mean_unit_variance`): out = (x − mean) / (std + eps).
 * - `zero-mean-unit-variance[=SCOPE][/EPS]` (`=EPS`, `=per-channel`, `=per-channel/EPS`,
 *   `=joint/EPS` …): mean and population std of each image of the batch (each tile in ZEN),
 *   over H, W and C (`joint`, the default; bioimage.io `axes: [x, y, c]`) or over H and W for
 *   each channel (`per-channel`; bioimage.io `axes: [x, y]`); eps 1e-6. Statistics and division
 *   run in float64 (see per-image-stats.ts).
 * - `zero-mean-unit-variance=MEAN/STD[/EPS]`: fixed mean and std, each a number or per channel
 *   (`0.1:0.2:0.3`); std must be >= 1e-6 as in bioimage.io; eps 1e-6.
 * Isomorphic.
 */
import { invalidArgument } from "../../errors.js";
import { formatPerChannel, parseNumber, parsePerChannel, perChannelConst, requireFloat, splitParams, type PerChannel } from "./params.js";
import { divideToFloat, perImageStats } from "./per-image-stats.js";
import { scopeAxes, scopeWords, takeScope, type StatScope } from "./stat-scope.js";
import type { OpDescriptor } from "./types.js";

const SYNTAX = "zero-mean-unit-variance[=EPS | =SCOPE[/EPS]] (per image) or zero-mean-unit-variance=MEAN/STD[/EPS] (fixed)";
const DEFAULT_EPS = 1e-6;

export type ZeroMeanUnitVarianceParams =
  | { mode: "per-image"; scope: StatScope; eps: number }
  | { mode: "fixed"; mean: PerChannel; std: PerChannel; eps: number };

function parseEps(text: string, where: string): number {
  const eps = parseNumber(text, where, "eps");
  if (eps <= 0 || eps > 0.1) throw invalidArgument(`eps ${eps} is out of range`, { where, allowed: "0 < eps <= 0.1" });
  return eps;
}

export const zeroMeanUnitVariance: OpDescriptor<ZeroMeanUnitVarianceParams> = {
  name: "zero-mean-unit-variance",
  kind: "pre-or-post",
  syntax: SYNTAX,
  summary:
    "(x - mean) / (std + eps), eps 1e-6 (bioimage.io): mean and population std of each image (each tile in ZEN) " +
    "over SCOPE (default joint), in float64; or fixed MEAN/STD (numbers or per channel, STD >= 1e-6)",
  parse(value, where) {
    if (value === undefined) return { mode: "per-image", scope: "joint", eps: DEFAULT_EPS };
    const { scope, rest } = takeScope(value.split("/"), where, SYNTAX);
    if (scope) {
      if (rest.length > 1) {
        throw invalidArgument(`expected at most EPS after "${scope}", got ${rest.length} values`, { where, allowed: SYNTAX });
      }
      return { mode: "per-image", scope, eps: rest[0] === undefined ? DEFAULT_EPS : parseEps(rest[0], where) };
    }
    const parts = splitParams(value, where, [1, 2, 3], SYNTAX);
    if (parts.length === 1) return { mode: "per-image", scope: "joint", eps: parseEps(parts[0]!, where) };
    const mean = parsePerChannel(parts[0]!, where, "mean");
    const std = parsePerChannel(parts[1]!, where, "std");
    for (const s of typeof std === "number" ? [std] : std) {
      if (s < 1e-6) throw invalidArgument(`std ${s} is too small`, { where, allowed: "std >= 1e-6" });
    }
    return { mode: "fixed", mean, std, eps: parts[2] === undefined ? DEFAULT_EPS : parseEps(parts[2], where) };
  },
  describe: (p) =>
    p.mode === "per-image"
      ? `(x − mean) / (std + ${p.eps}) per image ${scopeWords(p.scope)}`
      : `(x − ${formatPerChannel(p.mean)}) / (${formatPerChannel(p.std)} + ${p.eps})`,
  apply(ctx, x, p) {
    requireFloat(ctx, x);
    const b = ctx.builder;
    if (p.mode === "fixed") {
      const stdPlusEps = typeof p.std === "number" ? p.std + p.eps : p.std.map((s) => s + p.eps);
      const centered = b.op("Sub", [x.name, perChannelConst(ctx, b, x, p.mean, "mean")]);
      return { ...x, name: b.op("Div", [centered, perChannelConst(ctx, b, x, stdPlusEps, "std_plus_eps")]) };
    }
    const { centered, std } = perImageStats(ctx, x, scopeAxes(ctx, x, p.scope));
    return divideToFloat(ctx, x, centered, b.op("Add", [std, b.scalarDouble(p.eps, "eps")]));
  },
  usesImageStatistics: (p) => p.mode === "per-image",
};
