/**
 * `softmax`: softmax over the channel (last) axis, out_c = exp(x_c) / Σ_k exp(x_k), appended to a
 * model whose output is logits. ONNX `Softmax` with axis = last, which means the same in every
 * opset. Warns when the tensor already comes from a Softmax or Sigmoid node (already
 * normalized): the model's own, or a `sigmoid`/`softmax` earlier in the --postprocess chain.
 * Isomorphic.
 */
import { channelCount, requireFloat, requireNoValue, requireRank } from "./params.js";
import { alreadyProbability } from "./sigmoid.js";
import type { OpDescriptor } from "./types.js";

const SYNTAX = "softmax";

export const softmax: OpDescriptor<null> = {
  name: "softmax",
  kind: "post",
  syntax: SYNTAX,
  summary: "softmax over the channel (last) axis, for models that output logits",
  parse(value, where) {
    requireNoValue(value, where, SYNTAX);
    return null;
  },
  describe: () => "softmax over channels",
  apply(ctx, x) {
    requireFloat(ctx, x);
    requireRank(ctx, x, 2);
    const already = alreadyProbability(ctx);
    if (already) ctx.warn(`${ctx.where}: ${already}; a second softmax squeezes the probabilities towards uniform`);
    if (channelCount(x) === 1)
      ctx.warn(`${ctx.where}: softmax over 1 channel always gives 1; for a sigmoid output use sigmoid-to-softmax-scores`);
    return { ...x, name: ctx.builder.op("Softmax", [x.name], { axis: { int: x.dims.length - 1 } }) };
  },
};
