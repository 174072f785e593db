/**
 * `GraphBuilder`: what operations use to emit nodes into a chain that will be prepended or
 * appended to a model's graph. It hands out unique names (prefixed `czmodel/<op>/`), turns
 * constants into initializers, and emits the opset-correct form of opset-sensitive operators
 * (see `opset.ts`). Nodes go to `nodes` in execution order; the caller splices them in.
 * Isomorphic.
 */
import type { ModelProto, NodeProto, TensorProto } from "onnx-buf";
import { TensorProto_DataType as DT } from "onnx-buf";
import { NameAllocator } from "./names.js";
import { makeNode, type AttrValue } from "./nodes.js";
import { CLIP_INPUTS_FROM, reduceAxesAsInputFrom, TOPK_LARGEST_ATTR_FROM } from "./opset.js";
import { doubleTensor, floatTensor, int64Tensor } from "./tensors.js";

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  /** Prefix of node and tensor names emitted now (set per operation). */
  scope = "czmodel";

  constructor(
    readonly opset: number,
    readonly names: NameAllocator,
  ) {}

  static forModel(model: ModelProto, opset: number): GraphBuilder {
    return new GraphBuilder(opset, new NameAllocator(model));
  }

  /** A fresh tensor name inside the current scope. */
  tensorName(hint: string): string {
    return this.names.fresh(`${this.scope}/${hint}`);
  }

  /** Emit one node; returns its output tensor names. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs = 1): string[] {
    const outs = Array.from({ length: outputs }, (_, i) => this.tensorName(outputs > 1 ? `${opType}_out${i}` : opType));
    this.nodes.push(makeNode(opType, inputs, outs, this.names.fresh(`${this.scope}/${opType}`), attrs));
    return outs;
  }

  /** Emit a one-output node and return that output. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    return this.node(opType, inputs, attrs, 1)[0]!;
  }

  constFloat(values: number[], dims: number[] = [values.length], hint = "const"): string {
    const name = this.tensorName(hint);
    this.initializers.push(floatTensor(name, values, dims));
    return name;
  }

  /** A float scalar (rank 0) constant. */
  scalar(value: number, hint = "const"): string {
    return this.constFloat([value], [], hint);
  }

  /** A float64 scalar (rank 0) constant. */
  scalarDouble(value: number, hint = "const"): string {
    const name = this.tensorName(hint);
    this.initializers.push(doubleTensor(name, [value], []));
    return name;
  }

  constInt64(values: number[], dims: number[] = [values.length], hint = "const"): string {
    const name = this.tensorName(hint);
    this.initializers.push(int64Tensor(name, values, dims));
    return name;
  }

  /** ReduceMean/Max/Min/Prod/Sum over `axes`, axes as attribute or input depending on the opset. */
  reduce(op: "ReduceMean" | "ReduceMax" | "ReduceMin" | "ReduceProd" | "ReduceSum", x: string, axes: number[], keepdims: boolean): string {
    const kd = { keepdims: { int: keepdims ? 1 : 0 } };
    if (this.opset >= reduceAxesAsInputFrom(op)) {
      return this.op(op, [x, this.constInt64(axes, [axes.length], "axes")], kd);
    }
    return this.op(op, [x], { axes: { ints: axes }, ...kd });
  }

  /** Clip to [min, max] (either may be omitted = unbounded), in the form the opset wants. */
  clip(x: string, min: number | undefined, max: number | undefined): string {
    if (this.opset >= CLIP_INPUTS_FROM) {
      const inputs = [x, min === undefined ? "" : this.scalar(min, "min"), max === undefined ? "" : this.scalar(max, "max")];
      while (inputs[inputs.length - 1] === "") inputs.pop();
      return this.op("Clip", inputs);
    }
    const attrs: Record<string, AttrValue> = {};
    if (min !== undefined) attrs.min = { float: min };
    if (max !== undefined) attrs.max = { float: max };
    return this.op("Clip", [x], attrs);
  }

  /**
   * The K largest (or smallest) values along `axis`, sorted (largest first, or smallest first);
   * `k` is a 1-D int64 tensor of one element. Needs opset >= 10; at opset 10, which has no
   * `largest` attribute, the smallest are taken as the negated largest of −x (exact).
   */
  topK(x: string, k: string, axis: number, largest: boolean): string {
    if (this.opset >= TOPK_LARGEST_ATTR_FROM) {
      return this.node("TopK", [x, k], { axis: { int: axis }, largest: { int: largest ? 1 : 0 }, sorted: { int: 1 } }, 2)[0]!;
    }
    if (largest) return this.node("TopK", [x, k], { axis: { int: axis } }, 2)[0]!;
    const negated = this.node("TopK", [this.op("Neg", [x]), k], { axis: { int: axis } }, 2)[0]!;
    return this.op("Neg", [negated]);
  }

  cast(x: string, to: number): string {
    return this.op("Cast", [x], { to: { int: to } });
  }

  /**
   * Number of elements over `axes` of `x`, as a scalar of type `to` (float32 unless told;
   * computed at run time from Shape).
   */
  elementCount(x: string, axes: number[], to: number = DT.FLOAT): string {
    const shape = this.op("Shape", [x]);
    const picked = this.op("Gather", [shape, this.constInt64(axes, [axes.length], "axes")], { axis: { int: 0 } });
    const asFloat = this.cast(picked, to);
    return this.reduce("ReduceProd", asFloat, [0], false);
  }
}
