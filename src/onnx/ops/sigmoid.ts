/**
 * `sigmoid` (bioimage.io `sigmoid`): out = 1 / (1 + e^−x) elementwise, ONNX `Sigmoid` (the same
 * in every opset). Pre- or post-processing. As a post-processing op it warns when the tensor
 * already comes from a Sigmoid or Softmax node (the model's own or an earlier op's): probabilities
 * in [0, 1] would be squeezed again into [0.5, 0.73].
 * Isomorphic.
 */
import { requireFloat, requireNoValue } from "./params.js";
import type { OpContext, OpDescriptor } from "./types.js";

const SYNTAX = "sigmoid";

/** Producers whose output is already a probability in [0, 1]. */
const PROBABILITY_PRODUCERS = new Set(["Sigmoid", "Softmax"]);

/**
 * For post ops: `the model's output already comes from a Softmax node` (or `the previous
 * --postprocess op`) when the tensor is already a probability; undefined otherwise.
 */
export function alreadyProbability(ctx: OpContext): string | undefined {
  if (!ctx.producerOp || !PROBABILITY_PRODUCERS.has(ctx.producerOp)) return undefined;
  const whose = ctx.producerInChain ? "the previous --postprocess operation's result" : "the model's output";
  return `${whose} already comes from a ${ctx.producerOp} node`;
}

export const sigmoid: OpDescriptor<null> = {
  name: "sigmoid",
  kind: "pre-or-post",
  syntax: SYNTAX,
  summary: "logistic sigmoid elementwise: 1 / (1 + exp(-x)) (bioimage.io sigmoid)",
  parse(value, where) {
    requireNoValue(value, where, SYNTAX);
    return null;
  },
  describe: () => "1 / (1 + e^−x)",
  apply(ctx, x) {
    requireFloat(ctx, x);
    const already = alreadyProbability(ctx);
    if (already) ctx.warn(`${ctx.where}: ${already} (values in [0, 1]); a sigmoid on top squeezes them into [0.5, 0.73]`);
    return { ...x, name: ctx.builder.op("Sigmoid", [x.name]) };
  },
};
