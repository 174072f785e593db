/**
 * Channels-first or channels-last, from a tensor's dims alone: the narrow rules (rank >= 3, a
 * channel-like count 1..16 on the channel axis, every other non-batch dim dynamic or > 16) and
 * the hint that messages about shapes and channel counts (metadata, pack, validate, predict)
 * append when a shape looks channels-first. No ONNX needed, so it sits at the metadata layer;
 * onnx/layout-guess.ts adds the graph-based second opinion. Isomorphic.
 */

/** A tensor dim: a fixed size, a named dynamic dim, or unknown. */
type Dim = number | string | null;

/** The largest dim still taken for a channel count. */
const MAX_CHANNELS_GUESS = 16;

const isChannelCount = (d: Dim | undefined) => typeof d === "number" && d >= 1 && d <= MAX_CHANNELS_GUESS;
const isSpatial = (d: Dim) => typeof d !== "number" || d > MAX_CHANNELS_GUESS;

export function looksChannelsFirst(dims: readonly Dim[]): boolean {
  if (dims.length < 3 || !isChannelCount(dims[1])) return false;
  return dims.slice(2).every(isSpatial);
}

/** The mirror of `looksChannelsFirst`: a small channel count last, spatial dims between batch and it. */
export function looksChannelsLast(dims: readonly Dim[]): boolean {
  if (dims.length < 3 || !isChannelCount(dims[dims.length - 1])) return false;
  return dims.slice(1, -1).every(isSpatial);
}

/** What messages about shapes and channel counts add when a shape looks channels-first. */
const CHANNELS_FIRST_HINT = "the model looks channels-first (NCHW): pack it with --channels-first";

/** `"; " + CHANNELS_FIRST_HINT` when any of `shapes` (full tensor dims, batch first) looks channels-first, else "". */
export function channelsFirstHint(...shapes: (readonly Dim[] | undefined)[]): string {
  return shapes.some((s) => s !== undefined && looksChannelsFirst(s)) ? `; ${CHANNELS_FIRST_HINT}` : "";
}
