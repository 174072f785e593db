/**
 * Shared implementation of the channel-reordering operations: out[..., i] = in[..., order[i]],
 * one `Gather` on the last axis with constant int64 indices. Isomorphic.
 */
import type { OpContext, TensorState } from "./types.js";
import { requireRank } from "./params.js";

export function gatherChannels(ctx: OpContext, x: TensorState, order: number[]): TensorState {
  requireRank(ctx, x, 2);
  const b = ctx.builder;
  const axis = x.dims.length - 1;
  const out = b.op("Gather", [x.name, b.constInt64(order, [order.length], "channel_order")], { axis: { int: axis } });
  return { name: out, elemType: x.elemType, dims: [...x.dims.slice(0, -1), order.length] };
}
