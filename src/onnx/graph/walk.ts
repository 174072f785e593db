/**
 * Traversal and renaming over a graph and its subgraphs (If/Loop/Scan bodies in node
 * attributes). Subgraphs may read tensors of enclosing graphs by name, so a rename of a main-graph
 * tensor must reach into them. Isomorphic.
 */
import type { GraphProto, NodeProto } from "onnx-buf";

/** Call `fn` on `graph` and every subgraph nested in its nodes' attributes (depth first). */
export function forEachGraph(graph: GraphProto, fn: (g: GraphProto) => void): void {
  fn(graph);
  for (const node of graph.node) for (const sub of subgraphsOf(node)) forEachGraph(sub, fn);
}

function subgraphsOf(node: NodeProto): GraphProto[] {
  const out: GraphProto[] = [];
  for (const a of node.attribute) {
    if (a.g) out.push(a.g);
    out.push(...a.graphs);
  }
  return out;
}

/**
 * Replace tensor name `from` by `to` wherever nodes read it (in `nodes` and, unless a subgraph
 * defines its own `from`, in their subgraphs). With `outputs` also where nodes write it.
 */
export function renameTensor(nodes: NodeProto[], from: string, to: string, outputs = false): void {
  for (const node of nodes) {
    node.input = node.input.map((s) => (s === from ? to : s));
    if (outputs) node.output = node.output.map((s) => (s === from ? to : s));
    for (const sub of subgraphsOf(node)) {
      const shadows =
        sub.input.some((v) => v.name === from) ||
        sub.initializer.some((t) => t.name === from) ||
        sub.node.some((n) => n.output.includes(from));
      if (!shadows) renameTensor(sub.node, from, to, false);
    }
  }
}
