/**
 * Opset-correct forms of the operators the edits emit. The rules (ONNX operator changelog):
 * - ReduceMean/ReduceMax/ReduceMin/ReduceProd take `axes` as an attribute below opset 18 and as an
 *   int64 input from 18; ReduceSum switched at 13.
 * - Clip takes `min`/`max` as attributes below opset 11 and as optional inputs from 11.
 * - Softmax below 13 flattens to 2-D at `axis`; for the last axis both forms are the same, so the
 *   edits only ever use the last axis.
 * - Max with several broadcasting inputs needs opset 8; every other op used (Add, Sub, Mul, Div,
 *   Sqrt, Reciprocal, Gather, Concat, Transpose, Cast, Shape, Identity) exists unchanged in
 *   meaning from opset 8 on. So edits need a default-domain opset >= 9 (ONNX 1.4, 2019).
 * Isomorphic.
 */
export const MIN_EDIT_OPSET = 9;

/** Opset from which a reduce operator takes `axes` as an input. */
export function reduceAxesAsInputFrom(op: "ReduceMean" | "ReduceMax" | "ReduceMin" | "ReduceProd" | "ReduceSum"): number {
  return op === "ReduceSum" ? 13 : 18;
}

/** Opset from which Clip takes min/max as inputs. */
export const CLIP_INPUTS_FROM = 11;
