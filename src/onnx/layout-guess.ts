/**
 * Guessing, from its dims alone, whether a tensor is channels-first (NCHW / NCDHW), so that
 * `adaptModel` can refuse layout-dependent edits (spatial dims, pre-/post-processing) on a
 * channels-first model that was not declared `channelsFirst` instead of silently editing the
 * wrong axes.
 *
 * The rule is deliberately narrow (no false alarms on NHWC models): rank >= 3, axis 1 is a fixed
 * channel-like count (1..16), and every dim after it is dynamic or fixed and larger than any
 * channel count (> 16). `[batch, 3, height, width]` and `[1, 3, 224, 224]` match; NHWC shapes
 * such as `[batch, 1024, 1024, 1]`, `[batch, 4, 4, 1]` or `[1, 8, 8, 32]` do not, and neither do
 * tiny ambiguous ones like `[1, 3, 8, 8]`. Isomorphic.
 */
import { invalidArgument } from "../errors.js";
import type { Dim } from "./graph/nodes.js";

/** The largest dim still taken for a channel count. */
export const MAX_CHANNELS_GUESS = 16;

export function looksChannelsFirst(dims: readonly Dim[]): boolean {
  if (dims.length < 3) return false;
  const c = dims[1];
  if (typeof c !== "number" || c < 1 || c > MAX_CHANNELS_GUESS) return false;
  return dims.slice(2).every((d) => typeof d !== "number" || d > MAX_CHANNELS_GUESS);
}

const formatDims = (dims: readonly Dim[]) => `[${dims.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;

/**
 * Throw the "add --channels-first" error when `dims` look channels-first.
 * `what` is `model input` or `model output`; `where` names the option that needs the layout.
 */
export function refuseChannelsFirstLooking(dims: readonly Dim[], what: string, where: string): void {
  if (!looksChannelsFirst(dims)) return;
  throw invalidArgument(
    `the ${what} ${formatDims(dims)} looks channels-first (NCHW: ${dims[1]} channel${dims[1] === 1 ? "" : "s"} at axis 1, the spatial dims after it), ` +
      "but the edits assume channels last (NHWC); add --channels-first to wrap the model in NHWC ↔ NCHW transposes",
    { where },
  );
}
