/**
 * `clip=[SCOPE/]MIN/MAX` (bioimage.io `clip`): out = min(max(x, MIN), MAX), numpy `np.clip`
 * order (so MIN > MAX gives MAX everywhere). Either bound may be left empty for "unbounded"
 * (`clip=0/` clamps below only). Each bound is a fixed number or a percentile `pN` (0 <= N <= 100)
 * of each image of the batch (each tile in ZEN) over the scope: `joint` (H, W, C; the default)
 * or `per-channel` (H, W of each channel), computed as numpy's `np.quantile(…, method="linear")`
 * in float64 (percentile.ts) and rounded to float32; two percentile bounds need LO < HI.
 * `clip=p1/p99.5`, `clip=0/p99`, `clip=/p99`, `clip=per-channel/p1/p99`. A scope needs a
 * percentile bound; percentiles other than p0/p100 need opset >= 10.
 * Fixed bounds are emitted as ONNX `Clip` (bounds as attributes below opset 11, as inputs from
 * 11); percentile bounds, which are tensors, as `Max`/`Min`. Isomorphic.
 */
import { TensorProto_DataType as DT } from "onnx-buf";
import { invalidArgument } from "../../errors.js";
import { parseNumber, requireFloat, requireValue, splitParams } from "./params.js";
import { imagePercentiles } from "./percentile.js";
import { isPercentileToken, parsePercentile, scopeWords, takeScope, type StatScope } from "./stat-scope.js";
import type { OpDescriptor } from "./types.js";

const SYNTAX = "clip=[SCOPE/]MIN/MAX (each a number, a percentile pN or empty)";

/** Fixed bounds as numbers; percentile bounds (with their scope) only when given. */
export interface ClipParams {
  min?: number;
  max?: number;
  minPercentile?: number;
  maxPercentile?: number;
  scope?: StatScope;
}

const hasPercentile = (p: ClipParams) => p.minPercentile !== undefined || p.maxPercentile !== undefined;

export const clip: OpDescriptor<ClipParams> = {
  name: "clip",
  kind: "pre-or-post",
  syntax: SYNTAX,
  summary:
    "clamp to [MIN, MAX] like np.clip; a bound pN is the N-th percentile of each image (each tile in ZEN) over SCOPE " +
    "(default joint), in float64 rounded to float32; SCOPE only with a pN bound; pLO/pHI need LO < HI",
  parse(value, where) {
    const { scope, rest } = takeScope(requireValue(value, where, SYNTAX).split("/"), where, SYNTAX);
    const [lo, hi] = splitParams(rest.join("/"), where, [2], SYNTAX);
    const p: ClipParams = {};
    if (isPercentileToken(lo!)) p.minPercentile = parsePercentile(lo!, where, "min");
    else if (lo!.trim() !== "") p.min = parseNumber(lo!, where, "min");
    if (isPercentileToken(hi!)) p.maxPercentile = parsePercentile(hi!, where, "max");
    else if (hi!.trim() !== "") p.max = parseNumber(hi!, where, "max");
    if (Object.keys(p).length === 0) throw invalidArgument("clip needs at least one bound", { where, allowed: SYNTAX });
    if (p.min !== undefined && p.max !== undefined && p.min > p.max) {
      throw invalidArgument(`MIN ${p.min} is greater than MAX ${p.max}`, { where, allowed: "MIN <= MAX" });
    }
    if (p.minPercentile !== undefined && p.maxPercentile !== undefined && p.minPercentile >= p.maxPercentile) {
      throw invalidArgument(`lower percentile p${p.minPercentile} is not below the upper percentile p${p.maxPercentile}`, {
        where,
        allowed: "pLO/pHI with LO < HI",
      });
    }
    if (hasPercentile(p)) p.scope = scope ?? "joint";
    else if (scope) throw invalidArgument(`"${scope}" applies to percentile bounds, but both bounds are fixed`, { where, allowed: SYNTAX });
    return p;
  },
  describe: (p) => {
    const bound = (fixed: number | undefined, pct: number | undefined, none: string) => (pct !== undefined ? `P${pct}` : (fixed ?? none));
    const text = `clamp to [${bound(p.min, p.minPercentile, "-∞")}, ${bound(p.max, p.maxPercentile, "∞")}]`;
    return p.scope ? `${text}, percentiles per image ${scopeWords(p.scope)}` : text;
  },
  apply(ctx, x, p) {
    requireFloat(ctx, x);
    const b = ctx.builder;
    if (!hasPercentile(p)) return { ...x, name: b.clip(x.name, p.min, p.max) };
    const wanted = [p.minPercentile, p.maxPercentile].filter((v): v is number => v !== undefined);
    const bounds = imagePercentiles(ctx, x, p.scope!, wanted).map((t) => b.cast(t, DT.FLOAT));
    const lo = p.minPercentile !== undefined ? bounds.shift() : undefined;
    const hi = p.maxPercentile !== undefined ? bounds.shift() : undefined;
    let out = x.name;
    if (lo) out = b.op("Max", [out, lo]);
    else if (p.min !== undefined) out = b.clip(out, p.min, undefined);
    if (hi) out = b.op("Min", [out, hi]);
    else if (p.max !== undefined) out = b.clip(out, undefined, p.max);
    return { ...x, name: out };
  },
  usesImageStatistics: hasPercentile,
};
