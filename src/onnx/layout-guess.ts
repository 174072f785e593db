/**
 * Guessing, from its dims alone, whether a tensor is channels-first (NCHW / NCDHW) or
 * channels-last (NHWC / NDHWC), so that `adaptModel` can refuse edits that assume the other
 * layout instead of silently editing the wrong axes: layout-dependent edits (spatial dims,
 * pre-/post-processing) on a channels-first model that was not declared `channelsFirst`, and
 * `channelsFirst` on a model that already is channels-last (its transposes would scramble a
 * working NHWC model).
 *
 * The rules are deliberately narrow (no false alarms): rank >= 3, the channel axis (1 for
 * channels-first, the last for channels-last) is a fixed channel-like count (1..16), and every
 * other non-batch dim is dynamic or fixed and larger than any channel count (> 16).
 * Channels-first: `[batch, 3, height, width]` and `[1, 3, 224, 224]` match; NHWC shapes such as
 * `[batch, 1024, 1024, 1]`, `[batch, 4, 4, 1]` or `[1, 8, 8, 32]` do not. Channels-last: the
 * mirror (`[batch, 1024, 1024, 1]`, `[batch, height, width, 3]`). Tiny ambiguous shapes like
 * `[1, 3, 8, 8]` match neither. The two rules never both match. As a second opinion for the
 * channels-last refusal, `graphReadsInputAsChannelsFirst` looks at the graph itself: an input
 * that reaches a Conv / pooling / normalisation node through element-wise ops only is read
 * with its channels on axis 1 (ONNX's layout for those ops), whatever its dims suggest.
 * The dims-only rules and `channelsFirstHint` live in metadata/shape-layout.ts (metadata's own
 * messages use them) and are re-exported here. Isomorphic.
 */
import type { GraphProto } from "onnx-buf";
import { invalidArgument } from "../errors.js";
import { looksChannelsFirst, looksChannelsLast } from "../metadata/shape-layout.js";
import type { Dim } from "./graph/nodes.js";

export { channelsFirstHint, looksChannelsFirst, looksChannelsLast } from "../metadata/shape-layout.js";

const formatDims = (dims: readonly Dim[]) => `[${dims.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;

/**
 * Throw the "add --channels-first" error when `dims` look channels-first.
 * `what` is `model input` or `model output`; `where` names the option that needs the layout.
 */
export function refuseChannelsFirstLooking(dims: readonly Dim[], what: string, where: string): void {
  if (!looksChannelsFirst(dims)) return;
  throw invalidArgument(
    `the ${what} ${formatDims(dims)} looks channels-first (NCHW: ${dims[1]} channel${dims[1] === 1 ? "" : "s"} at axis 1, the spatial dims after it), ` +
      "but the edits assume channels last (NHWC); add --channels-first to wrap the model in NHWC ↔ NCHW transposes",
    { where },
  );
}

/**
 * Throw the "drop --channels-first" error when the model input `dims` look channels-last and
 * the graph does not contradict it (see `graphReadsInputAsChannelsFirst`).
 */
export function refuseChannelsLastLooking(dims: readonly Dim[], graph: GraphProto | undefined, inputName: string): void {
  if (!looksChannelsLast(dims)) return;
  if (graph && graphReadsInputAsChannelsFirst(graph, inputName)) return;
  const c = dims[dims.length - 1];
  throw invalidArgument(
    `the model input ${formatDims(dims)} already looks channels-last (NHWC: ${c} channel${c === 1 ? "" : "s"} on the last axis, the spatial dims before it), ` +
      "so wrapping it in NHWC ↔ NCHW transposes would break it; drop --channels-first (or add --force if the model really is NCHW)",
    { where: "--channels-first" },
  );
}

/** Ops that read axis 1 of their first input as channels (ONNX defines them on NCHW only). */
const CHANNELS_FIRST_OPS = new Set([
  "Conv",
  "ConvTranspose",
  "ConvInteger",
  "QLinearConv",
  "BatchNormalization",
  "InstanceNormalization",
  "MaxPool",
  "AveragePool",
  "LpPool",
  "GlobalAveragePool",
  "GlobalMaxPool",
  "GlobalLpPool",
]);
/** Ops that keep the layout of their input (followed when looking for the first layout-aware op). */
const ELEMENTWISE_OPS = new Set([
  "Identity",
  "Cast",
  "Add",
  "Sub",
  "Mul",
  "Div",
  "Neg",
  "Abs",
  "Clip",
  "Relu",
  "Sigmoid",
  "Tanh",
  "Sqrt",
  "Pow",
  "Exp",
  "Log",
]);

/**
 * True when `inputName` reaches an NCHW-only op (Conv, pooling, batch/instance norm) as its data
 * input through element-wise ops only, i.e. the model reads the input's axis 1 as channels.
 * A Transpose, Reshape or anything else on the way ends the search (no evidence).
 */
export function graphReadsInputAsChannelsFirst(graph: GraphProto, inputName: string): boolean {
  const seen = new Set<string>();
  const queue = [inputName];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const node of graph.node) {
      if (CHANNELS_FIRST_OPS.has(node.opType) && node.input[0] === name) return true;
      if (ELEMENTWISE_OPS.has(node.opType) && node.input.includes(name)) queue.push(...node.output);
    }
  }
  return false;
}
