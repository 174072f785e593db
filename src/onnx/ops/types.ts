/**
 * The contract every pre-/post-processing operation implements. An operation reads one NHWC
 * (channel-last) tensor and emits nodes through a `GraphBuilder` that compute its result; it
 * knows the tensor's element type and dims (fixed, symbolic or unknown) and reports the result's.
 * Isomorphic.
 */
import type { GraphBuilder } from "../graph/builder.js";
import type { Dim } from "../graph/nodes.js";

/** A tensor flowing through the chain: name, ONNX element type, dims with channels last. */
export interface TensorState {
  name: string;
  elemType: number;
  dims: Dim[];
}

export interface OpContext {
  builder: GraphBuilder;
  /** Where the op was asked for, for messages: `--preprocess scale=0.5`. */
  where: string;
  /** Collects warnings (not errors) for the caller. */
  warn(message: string): void;
  /**
   * Post ops: the op type that produced the tensor this op reads (looking through layout-only
   * nodes): the model's output node for the first op, then the last node of the previous op.
   */
  producerOp?: string;
  /** True when `producerOp` is a node of an earlier op of the chain, not of the model. */
  producerInChain?: boolean;
}

/** Where an operation may be used. */
type OpKind = "pre" | "post" | "pre-or-post";

export interface OpDescriptor<P = unknown> {
  /** kebab-case CLI name. */
  name: string;
  kind: OpKind;
  /** How to write it on the CLI, e.g. `scale=V` or `clip=MIN/MAX`. */
  syntax: string;
  /** One-line exact semantics for --help. */
  summary: string;
  /** Parse the text after `=` (undefined when there is none). Throws CzmodelError naming `where`. */
  parse(value: string | undefined, where: string): P;
  /** Human description of a parsed instance, e.g. `x * 0.5`. */
  describe(params: P): string;
  /** Emit the nodes; return the result tensor. */
  apply(ctx: OpContext, x: TensorState, params: P): TensorState;
  /**
   * True when the result depends on statistics of each image (mean, std, min/max, percentiles
   * computed per image of the batch, i.e. per tile in ZEN), not only on each pixel and fixed
   * parameters. Absent means false.
   */
  usesImageStatistics?(params: P): boolean;
}

/** One parsed entry of an op list. */
export interface OpSpec {
  name: string;
  /** The entry as written (`scale=0.5`). */
  text: string;
  params: unknown;
}
