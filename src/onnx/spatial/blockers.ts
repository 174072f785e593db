/**
 * Static reasons why a model cannot run at another spatial size: nodes that collapse the image
 * into a fixed-length vector (Flatten, Gemm) or reshape to a fixed 2-D shape. Checked before the
 * run-time proof in `check-invariance.ts` so the refusal names the node and says why.
 * Isomorphic.
 */
import type { ModelProto, NodeProto } from "onnx-buf";
import { findConstant, readIntTensor } from "../graph/tensors.js";

export interface SpatialBlocker {
  node: string;
  opType: string;
  reason: string;
}

function label(n: NodeProto): string {
  return n.name || n.output[0] || n.opType;
}

export function findSpatialBlockers(model: ModelProto): SpatialBlocker[] {
  const graph = model.graph;
  if (!graph) return [];
  const out: SpatialBlocker[] = [];
  for (const n of graph.node) {
    if (n.domain !== "" && n.domain !== "ai.onnx") continue;
    if (n.opType === "Flatten") {
      out.push({
        node: label(n),
        opType: n.opType,
        reason: "flattens the feature map into a vector whose length depends on the image size",
      });
    } else if (n.opType === "Gemm") {
      out.push({ node: label(n), opType: n.opType, reason: "is a dense layer with a fixed-size weight matrix" });
    } else if (n.opType === "Reshape" && n.input[1]) {
      const c = findConstant(graph, n.input[1]);
      const shape = c ? readIntTensor(c.tensor) : undefined;
      if (shape && shape.length <= 2) {
        out.push({ node: label(n), opType: n.opType, reason: `reshapes to the fixed 2-D shape [${shape.join(", ")}]` });
      }
    }
  }
  return out;
}
