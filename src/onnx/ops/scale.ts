/**
 * `scale=V` (czmodel `Scale(v)`): out = x · V. V is one number or one per channel (`1:2:3`).
 * Isomorphic.
 */
import { formatPerChannel, parsePerChannel, perChannelConst, requireFloat, requireValue, type PerChannel } from "./params.js";
import type { OpDescriptor } from "./types.js";

const SYNTAX = "scale=V (V a number or per-channel V0:V1:...)";

export const scale: OpDescriptor<PerChannel> = {
  name: "scale",
  kind: "pre-or-post",
  syntax: SYNTAX,
  summary: "multiply by a constant: x * V",
  parse: (value, where) => parsePerChannel(requireValue(value, where, SYNTAX), where, "scale"),
  describe: (v) => `x · ${formatPerChannel(v)}`,
  apply(ctx, x, v) {
    requireFloat(ctx, x);
    const b = ctx.builder;
    return { ...x, name: b.op("Mul", [x.name, perChannelConst(ctx, b, x, v, "scale")]) };
  },
};
