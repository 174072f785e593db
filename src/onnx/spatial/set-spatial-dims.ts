/**
 * Setting the spatial size (H, W or D, H, W) of an NHWC model's input and output. An input that
 * looks NCHW (layout-guess.ts) is refused with the hint to add --channels-first.
 *
 * For dims that were dynamic this only edits the graph's input/output types. For a model exported
 * at a fixed size (tf2onnx bakes the size into constants) the shape constants that feed
 * `Reshape` (shape), `Resize` (sizes), `Expand` (shape) and `ConstantOfShape` are rewritten too:
 * traced back through Concat/Cast/Identity/Unsqueeze/Squeeze to initializers or Constant nodes,
 * a run of consecutive entries equal to (H0·r, W0·r) for one power of two r (1/4096 … 16, e.g.
 * after poolings) becomes (H1·r, W1·r). That is a heuristic: `checkSpatialInvariance` then proves
 * the result by running it. Ambiguous constants (two such runs) and sizes not divisible by 1/r are
 * refused with the node's name. A constant shared with other consumers is copied first.
 * Stale `value_info` shapes are dropped when fixed sizes change (they are optional hints).
 * Isomorphic.
 */
import { clone } from "@bufbuild/protobuf";
import { NodeProtoSchema, TensorProtoSchema, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from "onnx-buf";
import { invalidArgument, unsupported } from "../../errors.js";
import { NameAllocator } from "../graph/names.js";
import { readTensorType, writeTensorDims, type Dim } from "../graph/nodes.js";
import { findConstant, readIntTensor, writeIntTensor } from "../graph/tensors.js";
import { refuseChannelsFirstLooking } from "../layout-guess.js";

const RATIOS = Array.from({ length: 17 }, (_, i) => 2 ** (i - 12)); // 1/4096 … 16

/** Which input of which op carries a shape with spatial entries. */
const SHAPE_INPUTS: Record<string, number> = { Reshape: 1, Resize: 3, Expand: 1, ConstantOfShape: 0 };
const PASS_THROUGH = new Set(["Concat", "Cast", "Identity", "Unsqueeze", "Squeeze"]);

export interface SetSpatialDimsResult {
  /** Descriptions of rewritten constants (`Reshape "x": [-1, 1, 1024, 1024] → [-1, 1, 512, 512]`). */
  rewritten: string[];
}

function realInputs(graph: GraphProto) {
  const inits = new Set(graph.initializer.map((t) => t.name));
  return graph.input.filter((v) => !inits.has(v.name));
}

/** Set the spatial dims of the model's single NHWC input (and its outputs) to `size`, in place. */
export function setSpatialDims(model: ModelProto, size: number[], where = "--spatial-dims"): SetSpatialDimsResult {
  const graph = model.graph!;
  const inputs = realInputs(graph);
  if (inputs.length !== 1)
    throw unsupported(`setting spatial dims needs a model with exactly 1 input, this one has ${inputs.length}`, { where });
  const input = inputs[0]!;
  const t = readTensorType(input);
  if (!t) throw unsupported(`the input "${input.name}" has no tensor shape`, { where });
  refuseChannelsFirstLooking(t.dims, "model input", where);
  const rank = t.dims.length;
  if (rank < 3 || size.length !== rank - 2) {
    throw invalidArgument(
      `the model input has ${Math.max(rank - 2, 0)} spatial dims (shape [${t.dims.join(", ")}]) but ${size.length} sizes were given`,
      {
        where,
        allowed: rank >= 3 ? `${rank - 2} positive integers` : "a model with an NHWC or NDHWC input",
      },
    );
  }
  for (const s of size) {
    if (!Number.isInteger(s) || s < 1) throw invalidArgument(`spatial size ${s} is not a positive integer`, { where });
  }
  const old = t.dims.slice(1, rank - 1);
  const result: SetSpatialDimsResult = { rewritten: [] };
  const fixedOld = old.every((d): d is number => typeof d === "number");
  const changes = old.some((d, i) => d !== size[i]);
  if (fixedOld && changes) {
    rewriteShapeConstants(model, old, size, result, where);
    graph.valueInfo = [];
  }
  writeTensorDims(input, [t.dims[0]!, ...size, t.dims[rank - 1]!]);
  for (const output of graph.output) {
    const o = readTensorType(output);
    if (!o || o.dims.length !== rank) continue;
    const dims: Dim[] = [...o.dims];
    for (let i = 0; i < size.length; i++) {
      const od = o.dims[i + 1];
      const id = old[i];
      if (od === id && od !== null) dims[i + 1] = size[i]!;
      else if (typeof od === "number" && typeof id === "number" && Number.isInteger((od * size[i]!) / id))
        dims[i + 1] = (od * size[i]!) / id;
      else dims[i + 1] = null;
    }
    writeTensorDims(output, dims);
  }
  return result;
}

interface ConstRef {
  tensor: TensorProto;
  sourceName: string;
  consumer: NodeProto;
  inputIndex: number;
}

function traceConstSources(
  graph: GraphProto,
  producers: Map<string, NodeProto>,
  name: string,
  consumer: NodeProto,
  inputIndex: number,
  out: ConstRef[],
  depth = 0,
): void {
  if (!name || depth > 8) return;
  const c = findConstant(graph, name);
  if (c) {
    out.push({ tensor: c.tensor, sourceName: name, consumer, inputIndex });
    return;
  }
  const p = producers.get(name);
  if (!p || !PASS_THROUGH.has(p.opType)) return;
  const ins = p.opType === "Concat" ? p.input : p.input.slice(0, 1);
  for (const [i, inName] of ins.entries()) traceConstSources(graph, producers, inName, p, i, out, depth + 1);
}

function rewriteShapeConstants(model: ModelProto, old: number[], next: number[], result: SetSpatialDimsResult, where: string): void {
  const graph = model.graph!;
  const names = new NameAllocator(model);
  const producers = new Map<string, NodeProto>();
  for (const n of graph.node) for (const o of n.output) producers.set(o, n);
  const consumerCount = new Map<string, number>();
  for (const n of graph.node) for (const i of n.input) consumerCount.set(i, (consumerCount.get(i) ?? 0) + 1);
  const done = new Set<TensorProto>();

  for (const node of [...graph.node]) {
    const idx = SHAPE_INPUTS[node.opType];
    if (idx === undefined || (node.domain !== "" && node.domain !== "ai.onnx") || !node.input[idx]) continue;
    const refs: ConstRef[] = [];
    traceConstSources(graph, producers, node.input[idx]!, node, idx, refs);
    for (const ref of refs) {
      if (done.has(ref.tensor)) continue;
      const values = readIntTensor(ref.tensor);
      if (!values) continue;
      const updated = rescale(values, old, next, node, where);
      if (!updated) continue;
      let tensor = ref.tensor;
      if ((consumerCount.get(ref.sourceName) ?? 0) > 1) tensor = copyConstant(graph, ref, names);
      writeIntTensor(tensor, updated);
      done.add(tensor);
      result.rewritten.push(`${node.opType} "${node.name || node.output[0]}": [${values.join(", ")}] → [${updated.join(", ")}]`);
    }
  }
}

/** New values for a constant, or undefined when it has no spatial run. */
function rescale(values: number[], old: number[], next: number[], node: NodeProto, where: string): number[] | undefined {
  const k = old.length;
  const hits: { at: number; r: number }[] = [];
  for (let at = 0; at + k <= values.length; at++) {
    for (const r of RATIOS) {
      if (old.every((o, i) => o * r >= 2 && values[at + i] === o * r)) {
        hits.push({ at, r });
        break;
      }
    }
  }
  if (hits.length === 0) return undefined;
  const label = `${node.opType} node "${node.name || node.output[0]}"`;
  if (hits.length > 1) {
    throw unsupported(`cannot tell which entries of the constant shape [${values.join(", ")}] of ${label} are the spatial dims`, { where });
  }
  const { at, r } = hits[0]!;
  const out = [...values];
  next.forEach((n, i) => {
    const v = n * r;
    if (!Number.isInteger(v) || v < 1) {
      throw invalidArgument(`spatial size ${n} does not work for ${label}, which works at 1/${1 / r} of the input size`, {
        where,
        allowed: `sizes divisible by ${1 / r}`,
      });
    }
    out[at + i] = v;
  });
  return out;
}

function copyConstant(graph: GraphProto, ref: ConstRef, names: NameAllocator): TensorProto {
  const name = names.fresh(`${ref.sourceName}__spatial`);
  const copy = clone(TensorProtoSchema, ref.tensor);
  const init = graph.initializer.find((t) => t === ref.tensor);
  if (init) {
    copy.name = name;
    graph.initializer.push(copy);
  } else {
    const node = graph.node.find((n) => n.opType === "Constant" && n.output[0] === ref.sourceName)!;
    const cnode = clone(NodeProtoSchema, node);
    cnode.name = names.fresh(`${node.name || "Constant"}__spatial`);
    cnode.output = [name];
    const valueAttr = cnode.attribute.find((a) => a.name === "value")!;
    valueAttr.t = copy;
    graph.node.splice(graph.node.indexOf(node) + 1, 0, cnode);
  }
  ref.consumer.input[ref.inputIndex] = name;
  return copy;
}
