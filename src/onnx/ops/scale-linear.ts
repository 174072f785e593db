/**
 * `scale-linear=GAIN/OFFSET` (bioimage.io `scale_linear`): out = x · GAIN + OFFSET, each a number
 * or one value per channel (`1:2:3`). `scale-linear=GAIN` means offset 0. Like bioimage.io, a
 * gain of 1 with offset 0 is rejected as doing nothing. Isomorphic.
 */
import { invalidArgument } from "../../errors.js";
import { formatPerChannel, parsePerChannel, perChannelConst, requireFloat, requireValue, splitParams, type PerChannel } from "./params.js";
import type { OpDescriptor } from "./types.js";

const SYNTAX = "scale-linear=GAIN[/OFFSET] (each a number or per-channel V0:V1:...)";

export interface ScaleLinearParams {
  gain: PerChannel;
  offset: PerChannel;
}

const isAll = (v: PerChannel, n: number) => (typeof v === "number" ? v === n : v.every((e) => e === n));

export const scaleLinear: OpDescriptor<ScaleLinearParams> = {
  name: "scale-linear",
  kind: "pre-or-post",
  syntax: SYNTAX,
  summary: "x * GAIN + OFFSET (bioimage.io scale_linear)",
  parse(value, where) {
    const [g, o] = splitParams(requireValue(value, where, SYNTAX), where, [1, 2], SYNTAX);
    const params = { gain: parsePerChannel(g!, where, "gain"), offset: o === undefined ? 0 : parsePerChannel(o, where, "offset") };
    if (isAll(params.gain, 1) && isAll(params.offset, 0)) {
      throw invalidArgument("gain 1 with offset 0 does nothing", { where, allowed: SYNTAX });
    }
    return params;
  },
  describe: (p) => `x · ${formatPerChannel(p.gain)} + ${formatPerChannel(p.offset)}`,
  apply(ctx, x, p) {
    requireFloat(ctx, x);
    const b = ctx.builder;
    let out = x.name;
    if (!isAll(p.gain, 1)) out = b.op("Mul", [out, perChannelConst(ctx, b, x, p.gain, "gain")]);
    if (!isAll(p.offset, 0)) out = b.op("Add", [out, perChannelConst(ctx, b, x, p.offset, "offset")]);
    return { ...x, name: out };
  },
};
