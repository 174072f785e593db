/**
 * `clip=MIN/MAX` (bioimage.io `clip` with fixed bounds): out = min(max(x, MIN), MAX). Either bound
 * may be left empty for "unbounded" (`clip=0/` clamps below only). Emitted as ONNX `Clip` with
 * bounds as attributes below opset 11 and as inputs from 11. Isomorphic.
 */
import { invalidArgument } from "../../errors.js";
import { parseNumber, requireFloat, requireValue, splitParams } from "./params.js";
import type { OpDescriptor } from "./types.js";

const SYNTAX = "clip=MIN/MAX (either may be empty)";

export interface ClipParams {
  min?: number;
  max?: number;
}

export const clip: OpDescriptor<ClipParams> = {
  name: "clip",
  kind: "pre-or-post",
  syntax: SYNTAX,
  summary: "clamp to [MIN, MAX]",
  parse(value, where) {
    const [lo, hi] = splitParams(requireValue(value, where, SYNTAX), where, [2], SYNTAX);
    const p: ClipParams = {};
    if (lo!.trim() !== "") p.min = parseNumber(lo!, where, "min");
    if (hi!.trim() !== "") p.max = parseNumber(hi!, where, "max");
    if (p.min === undefined && p.max === undefined) throw invalidArgument("clip needs at least one bound", { where, allowed: SYNTAX });
    if (p.min !== undefined && p.max !== undefined && p.min > p.max) {
      throw invalidArgument(`MIN ${p.min} is greater than MAX ${p.max}`, { where, allowed: "MIN <= MAX" });
    }
    return p;
  },
  describe: (p) => `clamp to [${p.min ?? "-∞"}, ${p.max ?? "∞"}]`,
  apply(ctx, x, p) {
    requireFloat(ctx, x);
    return { ...x, name: ctx.builder.clip(x.name, p.min, p.max) };
  },
};
