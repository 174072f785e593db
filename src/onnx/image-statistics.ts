/**
 * Finds the nodes of an ONNX graph that compute statistics over the image: per-image
 * standardization, mean/variance or min/max normalisation, percentiles — anything that reduces
 * over the spatial axes. ZEN runs a model tile by tile, so there "the image" is the tile, and such
 * a model gives results on a large image that depend on the tiling.
 *
 * Reported: InstanceNormalization, MeanVarianceNormalization and GroupNormalization (over more
 * than one non-batch axis), GlobalAveragePool / GlobalMaxPool / GlobalLpPool, TopK (sorting for
 * percentiles), LayerNormalization over two axes or more, and Reduce* over all axes (no axes
 * given) or over two non-batch axes or more (H and W, or H, W and C). A Reduce* over one axis
 * is taken for a per-pixel reduction over channels and not reported (which axis holds the
 * channels is not known without shapes), nor is one whose axes are computed at run time.
 * Subgraphs (If/Loop/Scan bodies) are searched too. Isomorphic.
 */
import type { AttributeProto, GraphProto, ModelProto, NodeProto } from "onnx-buf";
import { forEachGraph } from "./graph/walk.js";
import { findConstant, readIntTensor } from "./graph/tensors.js";
import { decodeModel } from "./model-io.js";

export interface ImageStatistic {
  /** Node name (or its first output when unnamed). */
  node: string;
  opType: string;
  /** Why it is reported, e.g. `over axes [1, 2, 3]`. */
  reason: string;
}

const REDUCE_OPS = new Set([
  "ReduceMean",
  "ReduceSum",
  "ReduceMax",
  "ReduceMin",
  "ReduceProd",
  "ReduceL1",
  "ReduceL2",
  "ReduceLogSum",
  "ReduceLogSumExp",
  "ReduceSumSquare",
]);
const GLOBAL_POOLS = new Set(["GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"]);

const label = (n: NodeProto) => n.name || n.output[0] || n.opType;
const attr = (n: NodeProto, name: string): AttributeProto | undefined => n.attribute.find((a) => a.name === name);
const fmt = (axes: number[]) => `[${axes.join(", ")}]`;

/** Distinct axes other than the batch axis 0. */
const nonBatch = (axes: number[]) => new Set(axes.filter((a) => a !== 0)).size;

/** The axes of a Reduce* node: a list, "all" (none given), "none" (no-op) or undefined (computed at run time). */
function reduceAxes(graph: GraphProto, main: GraphProto, n: NodeProto): number[] | "all" | "none" | undefined {
  const fromAttr = attr(n, "axes");
  if (fromAttr) return fromAttr.ints.map(Number);
  const input = n.input[1];
  if (input) {
    const c = findConstant(graph, input) ?? findConstant(main, input);
    const axes = c ? readIntTensor(c.tensor) : undefined;
    if (!axes) return undefined;
    if (axes.length > 0) return axes;
  }
  return Number(attr(n, "noop_with_empty_axes")?.i ?? 0n) === 1 ? "none" : "all";
}

function reasonFor(graph: GraphProto, main: GraphProto, n: NodeProto): string | undefined {
  const op = n.opType;
  if (REDUCE_OPS.has(op)) {
    const axes = reduceAxes(graph, main, n);
    if (axes === "all") return "over all axes";
    if (Array.isArray(axes) && nonBatch(axes) >= 2) return `over axes ${fmt(axes)}`;
    return undefined;
  }
  if (op === "InstanceNormalization") return "normalises each channel over the image";
  if (op === "GroupNormalization") return "normalises groups of channels over the image";
  if (op === "MeanVarianceNormalization") {
    const axes = attr(n, "axes")?.ints.map(Number) ?? [0, 2, 3];
    return nonBatch(axes) >= 2 ? `normalises over axes ${fmt(axes)}` : undefined;
  }
  if (GLOBAL_POOLS.has(op)) return "pools over the whole image";
  if (op === "TopK") return "sorts values (top-k, percentiles)";
  if (op === "LayerNormalization") {
    const axis = Number(attr(n, "axis")?.i ?? -1n);
    return axis <= -2 || (axis >= 0 && axis <= 1) ? `normalises over the axes from ${axis} on` : undefined;
  }
  return undefined;
}

/** Every node of `model` (ONNX bytes or a decoded model) that computes statistics over the image. */
export function findImageStatistics(model: ModelProto | Uint8Array): ImageStatistic[] {
  const m = model instanceof Uint8Array ? decodeModel(model) : model;
  const main = m.graph;
  if (!main) return [];
  const out: ImageStatistic[] = [];
  forEachGraph(main, (graph) => {
    for (const n of graph.node) {
      if (n.domain !== "" && n.domain !== "ai.onnx") continue;
      const reason = reasonFor(graph, main, n);
      if (reason) out.push({ node: label(n), opType: n.opType, reason });
    }
  });
  return out;
}
