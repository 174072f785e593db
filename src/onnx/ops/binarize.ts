/**
 * `binarize=T` (bioimage.io `binarize`): out = 1.0 where x > T, else 0.0, as float32. T is one
 * number or one per channel (`0.5:0.2:0.9`). ONNX `Greater` + `Cast`. The comparison is exact
 * for every float32 x against the decimal T: the threshold stored is the largest float32 <= T,
 * so `binarize=0.2` gives 1 for the float32 nearest 0.2 (0.20000000298…), which is above 0.2.
 * Isomorphic.
 */
import { TensorProto_DataType as DT } from "onnx-buf";
import { formatPerChannel, parsePerChannel, perChannelConst, requireFloat, requireValue, type PerChannel } from "./params.js";
import type { OpDescriptor } from "./types.js";

const SYNTAX = "binarize=T (T a number or per-channel T0:T1:...)";

/** The largest float32 <= t: for float32 x, x > t exactly when x > floorToFloat32(t). */
export function floorToFloat32(t: number): number {
  const f = Math.fround(t);
  if (f <= t) return f;
  // one float32 step down, by the bit pattern (f > t, so f > -Infinity and is finite or +Infinity)
  const bits = new Float32Array([f]);
  const u = new Uint32Array(bits.buffer);
  if (f > 0) u[0]! -= 1;
  else if (f === 0)
    u[0] = 0x80000001; // below +0: the smallest negative subnormal
  else u[0]! += 1;
  return bits[0]!;
}

export const binarize: OpDescriptor<PerChannel> = {
  name: "binarize",
  kind: "pre-or-post",
  syntax: SYNTAX,
  summary: "1.0 where x > T, else 0.0, float32 (bioimage.io binarize); exact for decimal T (stored as the largest float32 <= T)",
  parse: (value, where) => parsePerChannel(requireValue(value, where, SYNTAX), where, "threshold"),
  describe: (t) => `1 where x > ${formatPerChannel(t)}, else 0`,
  apply(ctx, x, t) {
    requireFloat(ctx, x);
    const b = ctx.builder;
    const threshold = typeof t === "number" ? floorToFloat32(t) : t.map(floorToFloat32);
    const above = b.op("Greater", [x.name, perChannelConst(ctx, b, x, threshold, "threshold")]);
    return { ...x, name: b.cast(above, DT.FLOAT), elemType: DT.FLOAT };
  },
};
