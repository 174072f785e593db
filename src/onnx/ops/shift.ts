/**
 * `shift=V` (czmodel `Shift(v)`): out = x + V. V is one number or one per channel (`1:2:3`).
 * Isomorphic.
 */
import { formatPerChannel, parsePerChannel, perChannelConst, requireFloat, requireValue, type PerChannel } from "./params.js";
import type { OpDescriptor } from "./types.js";

const SYNTAX = "shift=V (V a number or per-channel V0:V1:...)";

export const shift: OpDescriptor<PerChannel> = {
  name: "shift",
  kind: "pre-or-post",
  syntax: SYNTAX,
  summary: "add a constant: x + V",
  parse: (value, where) => parsePerChannel(requireValue(value, where, SYNTAX), where, "shift"),
  describe: (v) => `x + ${formatPerChannel(v)}`,
  apply(ctx, x, v) {
    requireFloat(ctx, x);
    const b = ctx.builder;
    return { ...x, name: b.op("Add", [x.name, perChannelConst(ctx, b, x, v, "shift")]) };
  },
};
