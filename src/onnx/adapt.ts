/**
 * `adaptModel`: makes a model ZEN-ready by editing its ONNX graph (no Python, no re-export):
 *
 *   new input (NHWC, optionally uint8/uint16)
 *     → [Cast to float32]            (inputCast)
 *     → pre-processing ops, in order (preprocessing)
 *     → [Transpose NHWC → NCHW]      (channelsFirst)
 *     → original graph
 *     → [Transpose NCHW → NHWC]      (channelsFirst; outputs of rank >= 3)
 *     → post-processing ops, in order (postprocessing)
 *     → new output
 *   and optionally fixes the spatial size (spatialDims, see spatial/set-spatial-dims.ts).
 * Edits that assume a layout the model does not look like are refused (layout-guess.ts):
 * pre/post-processing or spatial dims on an undeclared NCHW model, and channelsFirst on a model
 * that already looks NHWC (unless forceLayout).
 *
 * The external input and output keep their names; the original graph's tensors are renamed
 * (also inside subgraphs). Everything else is left as it was: IR version, opset imports,
 * producer, metadata_props, doc strings, functions, unknown fields, external-data references.
 * Only operators available in the model's default opset (>= 9) are emitted, in the opset's form.
 * With no options the input bytes are returned untouched. Isomorphic.
 */
import type { GraphProto, ModelProto, NodeProto } from "onnx-buf";
import { invalidArgument, unsupported } from "../errors.js";
import { GraphBuilder } from "./graph/builder.js";
import { makeTensorValueInfo, readTensorType, writeTensorDims, type Dim } from "./graph/nodes.js";
import { MIN_EDIT_OPSET } from "./graph/opset.js";
import { renameTensor } from "./graph/walk.js";
import { defaultOpsetOf, summarizeOnnx, type OnnxSummary } from "./summary.js";
import { refuseChannelsFirstLooking, refuseChannelsLastLooking } from "./layout-guess.js";
import { decodeModel, encodeModel } from "./model-io.js";
import { channelsLastDims, toChannelsFirst, toChannelsLast } from "./ops/channels-first.js";
import { findOperation } from "./ops/index.js";
import { castToFloat, INPUT_CAST_TYPES, type InputCastType } from "./ops/input-cast.js";
import type { OpContext, OpSpec, TensorState } from "./ops/types.js";
import { findSpatialBlockers } from "./spatial/blockers.js";
import { setSpatialDims } from "./spatial/set-spatial-dims.js";
import { onnxTypeName } from "./tensor-types.js";

export interface AdaptOptions {
  /** The model is channels-first (NCHW / NCDHW): wrap it so the file is NHWC. */
  channelsFirst?: boolean;
  /**
   * Apply `channelsFirst` even when the input looks channels-last (NHWC already, see
   * layout-guess.ts); without it such a model is refused, as its transposes would break it.
   */
  forceLayout?: boolean;
  /** Make the new input uint8 or uint16 and cast it to float32. */
  inputCast?: InputCastType;
  /** New spatial size of the input (H, W) or (D, H, W); the output follows. */
  spatialDims?: number[];
  preprocessing?: OpSpec[];
  postprocessing?: OpSpec[];
}

export interface AdaptResult {
  /** The edited model (the very input bytes when nothing was asked for). */
  bytes: Uint8Array;
  summary: OnnxSummary;
  warnings: string[];
  /** What was done, one line per step, for `--verbose` / reports. */
  steps: string[];
}

const isEmpty = (o: AdaptOptions) =>
  !o.channelsFirst && !o.inputCast && !o.spatialDims && !o.preprocessing?.length && !o.postprocessing?.length;

export function adaptModel(bytes: Uint8Array, options: AdaptOptions = {}, where = "ONNX model"): AdaptResult {
  const model = decodeModel(bytes, where);
  if (isEmpty(options)) return { bytes, summary: summarizeOnnx(model), warnings: [], steps: [] };
  const { warnings, steps } = adaptModelProto(model, options, where);
  return { bytes: encodeModel(model), summary: summarizeOnnx(model), warnings, steps };
}

/** The same on a decoded model, in place. */
function adaptModelProto(model: ModelProto, options: AdaptOptions, where = "ONNX model"): { warnings: string[]; steps: string[] } {
  const warnings: string[] = [];
  const steps: string[] = [];
  if (isEmpty(options)) return { warnings, steps };
  const graph = model.graph!;
  const opset = defaultOpsetOf(model);
  if (opset < MIN_EDIT_OPSET) {
    throw unsupported(`editing needs a model with ONNX opset >= ${MIN_EDIT_OPSET}; this one has opset ${opset || "none"}`, { where });
  }
  const inits = new Set(graph.initializer.map((t) => t.name));
  const inputs = graph.input.filter((v) => !inits.has(v.name));
  if (inputs.length !== 1 || graph.output.length !== 1) {
    throw unsupported(
      `adapting needs a model with exactly 1 input and 1 output; this one has ${inputs.length} input(s) and ${graph.output.length} output(s)`,
      {
        where,
        allowed: "a single-input, single-output model (ZEN feeds one image and reads one result)",
      },
    );
  }
  const input = inputs[0]!;
  const output = graph.output[0]!;
  const inType = readTensorType(input);
  const outType = readTensorType(output);
  if (!inType || !outType) throw unsupported("the model's input or output has no tensor shape", { where });
  if (!options.channelsFirst) refuseUndeclaredChannelsFirst(options, inType.dims, outType.dims);
  else if (!options.forceLayout) refuseChannelsLastLooking(inType.dims, graph, input.name);

  const builder = GraphBuilder.forModel(model, opset);
  const ctx = (whereOp: string, producerOp?: string, producerInChain = false): OpContext => ({
    builder,
    where: whereOp,
    warn: (m) => warnings.push(m),
    ...(producerOp ? { producerOp, producerInChain } : {}),
  });

  // ---- input side: build forward from a fresh name standing for the new input
  const newInputTemp = builder.names.fresh(`${input.name}__czmodel_new_input`);
  const inDims = options.channelsFirst ? requireChannelsFirst(inType.dims, "input", where) : inType.dims;
  let x: TensorState = {
    name: newInputTemp,
    elemType: options.inputCast ? INPUT_CAST_TYPES[options.inputCast] : inType.elemType,
    dims: [...inDims],
  };
  const newInputDims = [...x.dims];
  const newInputType = x.elemType;
  if (options.inputCast) {
    builder.scope = "czmodel/input-cast";
    x = castToFloat(ctx("--input-cast"), x);
    steps.push(`input: ${options.inputCast} → float32`);
  }
  for (const spec of options.preprocessing ?? []) {
    const op = findOperation(spec.name)!;
    builder.scope = `czmodel/pre/${spec.name}`;
    x = op.apply(ctx(`--preprocess ${spec.text}`), x, spec.params);
    steps.push(`pre: ${op.describe(spec.params)}`);
  }
  if (options.channelsFirst) {
    builder.scope = "czmodel/channels-first";
    x = toChannelsFirst(ctx("--channels-first"), x);
    steps.push("input: NHWC → NCHW transpose");
  }
  if (x.elemType !== inType.elemType) {
    throw invalidArgument(
      `the model input is ${onnxTypeName(inType.elemType)} but the pre-processing chain ends in ${onnxTypeName(x.elemType)}`,
      {
        where: options.inputCast ? "--input-cast" : where,
      },
    );
  }
  const preNodes = builder.nodes.splice(0);

  // ---- output side: build forward from the original output
  const modelOut = builder.names.fresh(`${output.name}__czmodel_model_output`);
  const producer = graph.node.find((n) => n.output.includes(output.name));
  let y: TensorState = { name: modelOut, elemType: outType.elemType, dims: [...outType.dims] };
  if (options.channelsFirst) {
    builder.scope = "czmodel/channels-first";
    y = toChannelsLast(ctx("--channels-first"), y);
    if (outType.dims.length >= 3) steps.push("output: NCHW → NHWC transpose");
  }
  const modelProducerOp = producerOpOf(graph.node, producer);
  for (const spec of options.postprocessing ?? []) {
    const op = findOperation(spec.name)!;
    builder.scope = `czmodel/post/${spec.name}`;
    // what feeds this op: a node emitted by the chain so far, else the model's output node
    const inChain = producerOpOf(
      builder.nodes,
      builder.nodes.find((n) => n.output.includes(y.name)),
    );
    y = op.apply(ctx(`--postprocess ${spec.text}`, inChain ?? modelProducerOp, inChain !== undefined), y, spec.params);
    steps.push(`post: ${op.describe(spec.params)}`);
  }
  const postNodes = builder.nodes.splice(0);

  // ---- splice
  const original = graph.node;
  if (preNodes.length > 0) {
    renameTensor(original, input.name, x.name);
    renameValueInfo(graph, input.name, x.name);
    renameTensor(preNodes, newInputTemp, input.name);
  }
  if (postNodes.length > 0) {
    if (!producer) throw unsupported(`the output "${output.name}" is not computed by any node`, { where });
    renameTensor(original, output.name, modelOut, true);
    renameValueInfo(graph, output.name, modelOut);
    renameTensor(postNodes, y.name, output.name, true);
  }
  graph.node = [...preNodes, ...original, ...postNodes];
  graph.initializer.push(...builder.initializers);
  if (model.irVersion < 4n) {
    // IR < 4: every initializer must also be listed as a graph input
    for (const t of builder.initializers) graph.input.push(makeTensorValueInfo(t.name, t.dataType, t.dims.map(Number)));
  }
  replaceValueInfo(graph.input, input.name, newInputType, newInputDims);
  replaceValueInfo(graph.output, output.name, y.elemType, y.dims);

  if (options.spatialDims) steps.push(...resizeSpatialDims(model, options.spatialDims));
  return { warnings, steps };
}

/** Fix the spatial dims of a fully convolutional model; refuses a model that is not spatially invariant. */
function resizeSpatialDims(model: ModelProto, spatialDims: NonNullable<AdaptOptions["spatialDims"]>): string[] {
  const blockers = findSpatialBlockers(model);
  if (blockers.length > 0) {
    const b = blockers[0]!;
    throw unsupported(`the model is not spatially invariant: ${b.opType} node "${b.node}" ${b.reason}`, {
      where: "--spatial-dims",
      allowed: "fully convolutional models",
    });
  }
  const r = setSpatialDims(model, spatialDims);
  return [`spatial dims set to ${spatialDims.join("×")}`, ...r.rewritten.map((s) => `  rewrote ${s}`)];
}

/**
 * Spatial dims and pre-processing ops edit the input as NHWC, post-processing ops the output:
 * on a model that looks NCHW and was not declared channels-first they would edit the wrong axes
 * (e.g. `[batch, 3, h, w]` → `[batch, 64, 64, w]`), so refuse with the hint instead.
 */
function refuseUndeclaredChannelsFirst(options: AdaptOptions, inDims: Dim[], outDims: Dim[]): void {
  const firstPre = options.preprocessing?.[0];
  const firstPost = options.postprocessing?.[0];
  if (options.spatialDims) refuseChannelsFirstLooking(inDims, "model input", "--spatial-dims");
  if (firstPre) refuseChannelsFirstLooking(inDims, "model input", `--preprocess ${firstPre.text}`);
  if (firstPost) refuseChannelsFirstLooking(outDims, "model output", `--postprocess ${firstPost.text}`);
}

function requireChannelsFirst(dims: (number | string | null)[], what: string, where: string) {
  if (dims.length < 3) {
    throw invalidArgument(`--channels-first needs an ${what} of rank >= 3 (NCHW), but it has rank ${dims.length}`, { where });
  }
  return channelsLastDims(dims);
}

/**
 * Op type of `node`, looking through layout-only nodes among `nodes`; undefined when the trail
 * leaves `nodes` (or there is no node).
 */
function producerOpOf(nodes: NodeProto[], node: NodeProto | undefined): string | undefined {
  const layoutOnly = new Set(["Transpose", "Identity", "Reshape"]);
  let n = node;
  for (let i = 0; n && layoutOnly.has(n.opType) && i < 8; i++) {
    const src = n.input[0];
    n = nodes.find((m) => m.output.includes(src ?? ""));
  }
  return n?.opType;
}

function renameValueInfo(graph: GraphProto, from: string, to: string): void {
  for (const v of graph.valueInfo) if (v.name === from) v.name = to;
}

/** Set the element type and dims of a graph input/output in place (keeps doc string, metadata, unknown fields). */
function replaceValueInfo(list: GraphProto["input"], name: string, elemType: number, dims: (number | string | null)[]): void {
  const v = list.find((e) => e.name === name)!;
  const t = v.type?.value;
  if (t?.case === "tensorType") t.value.elemType = elemType;
  writeTensorDims(v, dims);
}
