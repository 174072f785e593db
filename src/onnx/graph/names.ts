/**
 * Unique names for nodes and tensors added to a graph. Collects every name already used in the
 * model (node names, tensor names of the main graph and of every subgraph, initializers, value
 * infos) so new names never shadow or collide with existing ones. Isomorphic.
 */
import type { GraphProto, ModelProto } from "onnx-buf";
import { forEachGraph } from "./walk.js";

export class NameAllocator {
  private readonly used = new Set<string>();

  constructor(model?: ModelProto) {
    if (model?.graph) forEachGraph(model.graph, (g) => this.collect(g));
  }

  private collect(g: GraphProto): void {
    for (const v of [...g.input, ...g.output, ...g.valueInfo]) this.used.add(v.name);
    for (const t of g.initializer) this.used.add(t.name);
    for (const n of g.node) {
      if (n.name) this.used.add(n.name);
      for (const s of [...n.input, ...n.output]) if (s) this.used.add(s);
    }
  }

  /** Mark a name as taken. */
  reserve(name: string): void {
    this.used.add(name);
  }

  has(name: string): boolean {
    return this.used.has(name);
  }

  /** `base` if free, else `base_1`, `base_2` …; the result is reserved. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}
