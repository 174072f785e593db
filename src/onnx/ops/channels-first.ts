/**
 * The channels-first adapter: wraps a model whose input and output are NCHW (NCDHW) in
 * Transposes so the file is NHWC (NDHWC) like ZEN wants, exactly as czmodel's PyTorch export
 * does: input perm (0, 2, 3, 1) → NCHW, i.e. `Transpose(perm=[0, r-1, 1, …, r-2])` before the
 * model, and `Transpose(perm=[0, 2, …, r-1, 1])` after it. Outputs of rank < 3 (class scores)
 * get no transpose. Isomorphic.
 */
import type { Dim } from "../graph/nodes.js";
import type { OpContext, TensorState } from "./types.js";

/** Permutation taking channel-last to channel-first: [0, r-1, 1, …, r-2]. */
function toChannelsFirstPerm(rank: number): number[] {
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}

/** Permutation taking channel-first to channel-last: [0, 2, …, r-1, 1]. */
function toChannelsLastPerm(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

function permute<T>(dims: T[], perm: number[]): T[] {
  return perm.map((p) => dims[p]!);
}

/** Channel-last view of channel-first dims. */
export function channelsLastDims(dims: Dim[]): Dim[] {
  return dims.length >= 3 ? permute(dims, toChannelsLastPerm(dims.length)) : dims;
}

/** NHWC tensor → NCHW, in front of a channels-first model. */
export function toChannelsFirst(ctx: OpContext, x: TensorState): TensorState {
  const perm = toChannelsFirstPerm(x.dims.length);
  const out = ctx.builder.op("Transpose", [x.name], { perm: { ints: perm } });
  return { ...x, name: out, dims: permute(x.dims, perm) };
}

/** NCHW model output → NHWC; tensors of rank < 3 pass unchanged. */
export function toChannelsLast(ctx: OpContext, x: TensorState): TensorState {
  if (x.dims.length < 3) return x;
  const perm = toChannelsLastPerm(x.dims.length);
  const out = ctx.builder.op("Transpose", [x.name], { perm: { ints: perm } });
  return { ...x, name: out, dims: permute(x.dims, perm) };
}
