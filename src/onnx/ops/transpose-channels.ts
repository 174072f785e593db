/**
 * `transpose-channels=O0/O1/…` (czmodel `TransposeChannels(order)`): out[..., i] = in[..., order[i]].
 * The order must be a permutation of 0..n-1 (no gaps, no repeats) and n must equal the channel
 * count. Isomorphic.
 */
import { invalidArgument } from "../../errors.js";
import { gatherChannels } from "./channel-gather.js";
import { requireChannels, requireValue } from "./params.js";
import type { OpDescriptor } from "./types.js";

const SYNTAX = "transpose-channels=O0/O1/...";

export const transposeChannels: OpDescriptor<number[]> = {
  name: "transpose-channels",
  kind: "pre-or-post",
  syntax: SYNTAX,
  summary: "reorder channels: out[..., i] = in[..., O_i]; the O_i are a permutation of 0..n-1",
  parse(value, where) {
    const text = requireValue(value, where, SYNTAX);
    const order = text.split("/").map((p) => {
      const n = Number(p);
      if (p.trim() === "" || !Number.isInteger(n) || n < 0) {
        throw invalidArgument(`channel index "${p}" is not a non-negative integer`, { where, allowed: SYNTAX });
      }
      return n;
    });
    const seen = new Set(order);
    if (seen.size !== order.length || Math.max(...order) !== order.length - 1) {
      const gaps = Array.from({ length: Math.max(...order) + 1 }, (_, i) => i).filter((i) => !seen.has(i));
      const repeats = order.filter((v, i) => order.indexOf(v) !== i);
      const problems = [
        gaps.length ? `missing ${gaps.join(", ")}` : "",
        repeats.length ? `repeated ${[...new Set(repeats)].join(", ")}` : "",
      ].filter(Boolean);
      throw invalidArgument(`the channel order ${order.join("/")} is not a permutation without gaps (${problems.join("; ")})`, {
        where,
        allowed: `each of 0..${order.length - 1} exactly once, e.g. ${[...order.keys()].reverse().join("/")}`,
      });
    }
    return order;
  },
  describe: (order) => `channels reordered to ${order.join(", ")}`,
  apply(ctx, x, order) {
    requireChannels(ctx, x, order.length, `the order lists ${order.length} channels`);
    return gatherChannels(ctx, x, order);
  },
};
