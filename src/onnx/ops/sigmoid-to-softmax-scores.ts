/**
 * `sigmoid-to-softmax-scores` (czmodel `SigmoidToSoftmaxScores`): turns a 1-channel sigmoid
 * output p into two channels [p, 1 − p] (concatenated on the last axis, p first, as czmodel
 * does), so it reads like a 2-class softmax. Needs exactly 1 channel. Isomorphic.
 */
import { requireChannels, requireFloat, requireNoValue, requireRank } from "./params.js";
import type { OpDescriptor } from "./types.js";

const SYNTAX = "sigmoid-to-softmax-scores";

export const sigmoidToSoftmaxScores: OpDescriptor<null> = {
  name: "sigmoid-to-softmax-scores",
  kind: "post",
  syntax: SYNTAX,
  summary: "1-channel sigmoid p -> 2 channels [p, 1 - p]",
  parse(value, where) {
    requireNoValue(value, where, SYNTAX);
    return null;
  },
  describe: () => "p → [p, 1 − p]",
  apply(ctx, x) {
    requireFloat(ctx, x);
    requireRank(ctx, x, 2);
    requireChannels(ctx, x, 1, "one sigmoid channel");
    const b = ctx.builder;
    const complement = b.op("Sub", [b.scalar(1, "one"), x.name]);
    const out = b.op("Concat", [x.name, complement], { axis: { int: x.dims.length - 1 } });
    return { ...x, name: out, dims: [...x.dims.slice(0, -1), 2] };
  },
};
