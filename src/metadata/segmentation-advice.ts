/**
 * How czmodel words a segmentation output that is not one probability channel per class,
 * and what to pack a logit output with. Lives in the metadata layer because reading a
 * `model.json` already rejects a one-channel segmentation `OutputShape`; `validate`, `pack`
 * and `predict` use the same words through `validate/zen-rules.ts`. Pure text, isomorphic.
 */

/** What to pack a segmentation model that outputs logits with, by its output channel count. */
export function logitAdvice(channels: number): string {
  if (channels === 1) {
    return (
      "pack the model with --postprocess sigmoid,sigmoid-to-softmax-scores and Classes with the object first, then Background " +
      "(e.g. Nucleus,Background), since sigmoid-to-softmax-scores gives [p, 1 − p]; leave out sigmoid if the model already ends in one"
    );
  }
  return "pack the model with --postprocess softmax";
}

/** A segmentation output with one channel: `what` names it, e.g. `[64, 64, 1]` or `the ONNX output [?, 64, 64, 1]`. */
export function oneChannelSegmentationProblem(what: string): string {
  return `${what} has 1 channel, but a segmentation model needs one probability channel per class (at least 2): ${logitAdvice(1)}`;
}
