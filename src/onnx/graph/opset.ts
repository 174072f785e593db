/**
 * Opset-correct forms of the operators the edits emit. The rules (ONNX operator changelog):
 * - ReduceMean/ReduceMax/ReduceMin/ReduceProd take `axes` as an attribute below opset 18 and as an
 *   int64 input from 18; ReduceSum switched at 13.
 * - Clip takes `min`/`max` as attributes below opset 11 and as optional inputs from 11.
 * - Softmax below 13 flattens to 2-D at `axis`; for the last axis both forms are the same, so the
 *   edits only ever use the last axis.
 * - Max/Min with several broadcasting inputs need opset 8; Less, Greater (float), Where need 9;
 *   every other op used (Add, Sub, Mul, Div, Sqrt, Reciprocal, Sigmoid, Gather, Concat, Reshape,
 *   Transpose, Cast, Shape, Neg, Identity) exists unchanged in meaning from opset 8 on. So edits
 *   need a default-domain opset >= 9 (ONNX 1.4, 2019).
 * - TopK takes K as an input (so K can come from the run-time shape) from opset 10; its
 *   `largest`/`sorted` attributes exist from 11 (opset 10 always returns the largest, sorted).
 *   Percentile statistics use it, so they need opset >= 10.
 * Isomorphic.
 */
export const MIN_EDIT_OPSET = 9;

/** Opset from which a reduce operator takes `axes` as an input. */
export function reduceAxesAsInputFrom(op: "ReduceMean" | "ReduceMax" | "ReduceMin" | "ReduceProd" | "ReduceSum"): number {
  return op === "ReduceSum" ? 13 : 18;
}

/** Opset from which Clip takes min/max as inputs. */
export const CLIP_INPUTS_FROM = 11;

/** Opset from which TopK takes K as an input (a run-time K). */
export const TOPK_DYNAMIC_K_FROM = 10;

/** Opset from which TopK has the `largest` attribute (smallest-K without negating). */
export const TOPK_LARGEST_ATTR_FROM = 11;
