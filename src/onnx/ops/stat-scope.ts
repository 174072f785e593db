/**
 * The statistics scope and percentile tokens shared by the ops whose result depends on
 * statistics of each image (bioimage.io per-sample statistics):
 * - scope `joint` (the default): over H, W and C of each image (bioimage.io `axes: [x, y, c]`);
 * - scope `per-channel`: over H and W, separately for each channel (bioimage.io `axes: [x, y]`);
 * - a percentile `pN`, N in [0, 100] (`p1`, `p99.8`): numpy's `np.quantile(v, N / 100)` with the
 *   default `method="linear"`, see percentile.ts.
 * On the command line the scope is an optional leading token: `scale-range=per-channel/p1/p99`.
 * Statistics are always per image of the batch (per tile when ZEN runs the model). Isomorphic.
 */
import { invalidArgument } from "../../errors.js";
import { parseNumber, requireRank } from "./params.js";
import type { OpContext, TensorState } from "./types.js";

export type StatScope = "joint" | "per-channel";

const STAT_SCOPES: readonly StatScope[] = ["joint", "per-channel"];

/**
 * Take an optional leading scope token off `parts`. A first token that is a word but no scope
 * (`perchannel`, `channel`) is refused rather than read as a number; `pN` tokens are left alone.
 */
export function takeScope(parts: string[], where: string, syntax: string): { scope?: StatScope; rest: string[] } {
  const first = parts[0]?.trim() ?? "";
  if ((STAT_SCOPES as readonly string[]).includes(first)) return { scope: first as StatScope, rest: parts.slice(1) };
  if (/^[a-z][a-z_-]*$/i.test(first) && !isPercentileToken(first)) {
    throw invalidArgument(`unknown statistics scope "${first}"`, { where, allowed: `${STAT_SCOPES.join(" or ")}, as in ${syntax}` });
  }
  return { rest: parts };
}

/** True for text spelled like a percentile: `p` not followed by a letter (checked by parsePercentile). */
export function isPercentileToken(text: string): boolean {
  return /^p(?![a-z_])/i.test(text.trim());
}

/** Parse `pN` → N, checking 0 <= N <= 100. */
export function parsePercentile(text: string, where: string, what: string): number {
  const t = text.trim();
  if (!t.startsWith("p"))
    throw invalidArgument(`${what} "${text}" is not a percentile`, { where, allowed: "pN with 0 <= N <= 100, e.g. p1 or p99.8" });
  const n = parseNumber(t.slice(1), where, `${what} percentile`);
  if (n < 0 || n > 100)
    throw invalidArgument(`${what} percentile ${t} is outside 0..100`, { where, allowed: "pN with 0 <= N <= 100, e.g. p1 or p99.8" });
  return n;
}

/**
 * The NHWC axes the statistics of `scope` reduce over: joint 1..r-1 (all but the batch),
 * per-channel 1..r-2 (all but the batch and the channel). Checks the rank.
 */
export function scopeAxes(ctx: OpContext, x: TensorState, scope: StatScope): number[] {
  requireRank(ctx, x, scope === "joint" ? 2 : 3);
  const last = scope === "joint" ? x.dims.length - 1 : x.dims.length - 2;
  return Array.from({ length: last }, (_, i) => i + 1);
}

/** `joint` / `per-channel` as a phrase for descriptions. */
export function scopeWords(scope: StatScope): string {
  return scope === "joint" ? "over H, W, C" : "over H, W per channel";
}
