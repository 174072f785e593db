/**
 * `transpose-channels=O0/O1/…` (czmodel `TransposeChannels(order)`): out[..., i] = in[..., order[i]].
 * The order must be a permutation of 0..C-1 (no gaps, no repeats) where C is the tensor's
 * channel count. Parsing checks only the syntax; the permutation is checked when the op is
 * applied, against the model's channel count (or the order's own length when the model leaves
 * the count open), so the message can say how many channels the model has. Isomorphic.
 */
import { invalidArgument } from "../../errors.js";
import { gatherChannels } from "./channel-gather.js";
import { channelCount, requireValue } from "./params.js";
import type { OpContext, OpDescriptor, TensorState } from "./types.js";

const SYNTAX = "transpose-channels=O0/O1/...";

const reversed = (n: number) => Array.from({ length: n }, (_, i) => n - 1 - i).join("/");

/** Throw unless `order` is a permutation of 0..channels-1, saying what is off. */
function checkPermutation(ctx: OpContext, order: number[], channels: number, fixed: boolean): void {
  const seen = new Set(order);
  const missing = Array.from({ length: channels }, (_, i) => i).filter((i) => !seen.has(i));
  const outOfRange = [...seen].filter((v) => v >= channels).sort((a, b) => a - b);
  const repeated = [...new Set(order.filter((v, i) => order.indexOf(v) !== i))];
  const problems = [
    missing.length ? `missing ${missing.join(", ")}` : "",
    repeated.length ? `repeated ${repeated.join(", ")}` : "",
    outOfRange.length ? `${outOfRange.join(", ")} ${outOfRange.length === 1 ? "is" : "are"} beyond the last channel ${channels - 1}` : "",
  ].filter(Boolean);
  const lengthWrong = order.length !== channels;
  if (!lengthWrong && problems.length === 0) return;
  const tensor = ctx.where.startsWith("--postprocess") ? "model output" : "model input";
  const parts = [
    lengthWrong ? `the order lists ${order.length} channels but the ${tensor} has ${channels}` : "",
    problems.length ? `the channel order ${order.join("/")} is not a permutation without gaps (${problems.join("; ")})` : "",
  ].filter(Boolean);
  throw invalidArgument(parts.join("; "), {
    where: ctx.where,
    allowed: `a permutation of 0..${channels - 1}${fixed ? "" : " (the order's own length; the model leaves the channel count open)"}, e.g. ${reversed(channels)}`,
  });
}

export const transposeChannels: OpDescriptor<number[]> = {
  name: "transpose-channels",
  kind: "pre-or-post",
  syntax: SYNTAX,
  summary: "reorder channels: out[..., i] = in[..., O_i]; the O_i are a permutation of 0..C-1 (C = channel count)",
  parse(value, where) {
    const text = requireValue(value, where, SYNTAX);
    return text.split("/").map((p) => {
      const n = Number(p);
      if (p.trim() === "" || !Number.isInteger(n) || n < 0) {
        throw invalidArgument(`channel index "${p}" is not a non-negative integer`, { where, allowed: SYNTAX });
      }
      return n;
    });
  },
  describe: (order) => `channels reordered to ${order.join(", ")}`,
  apply(ctx, x: TensorState, order) {
    const c = channelCount(x);
    if (c === undefined) {
      ctx.warn(
        `${ctx.where}: the channel count is not fixed in the model; it must be ${order.length} (the order lists ${order.length} channels)`,
      );
    }
    checkPermutation(ctx, order, c ?? order.length, c !== undefined);
    return gatherChannels(ctx, x, order);
  },
};
