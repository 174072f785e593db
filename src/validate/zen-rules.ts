/**
 * ZEN rules that more than one command checks, worded once so that `pack`, `validate`
 * (structural and `--run`) and `predict` always say the same thing:
 * - the output has the input's spatial size (every model type: ZEN places each output tile
 *   where its input tile came from);
 * - a segmentation output is one probability channel per class, and what to pack a logit
 *   output with (`softmax` for K >= 2 channels, `sigmoid,sigmoid-to-softmax-scores` for one);
 * - statistics a model computes over the image are computed per tile in ZEN.
 * The segmentation wording itself lives in `metadata/segmentation-advice.ts` (reading a
 * `model.json` needs it, and the metadata layer sits below this one); it is re-exported here.
 * Isomorphic.
 */
import type { ImageStatistic } from "../onnx/image-statistics.js";

export { logitAdvice, oneChannelSegmentationProblem } from "../metadata/segmentation-advice.js";

type Dim = number | string | null | undefined;

const fixed = (d: Dim): d is number => typeof d === "number" && d > 0;
const fmt = (dims: readonly Dim[]) => `[${dims.map((d) => (d === null || d === undefined ? "?" : String(d))).join(", ")}]`;

/**
 * The output-spatial-size problem, or undefined when the spatial dims (batch and channel axes
 * left out) agree wherever both are fixed.
 */
export function outputSpatialProblem(inputSpatial: readonly Dim[], outputSpatial: readonly Dim[]): string | undefined {
  const differs =
    inputSpatial.length !== outputSpatial.length ||
    inputSpatial.some((d, i) => fixed(d) && fixed(outputSpatial[i]) && d !== outputSpatial[i]);
  if (!differs) return undefined;
  return `output spatial size ${fmt(outputSpatial)} differs from input spatial size ${fmt(inputSpatial)}; ZEN requires output spatial size == input spatial size`;
}

/** `[h, w]` (or `[d, h, w]`) → `W×H` (`W×H×D`). */
function formatTile(spatial: readonly number[]): string {
  return [...spatial].reverse().join("×");
}

/** `ReduceMean "/ReduceMean" over axes [1, 2, 3], …` (the first `max`, then how many more). */
function describeImageStatistics(found: readonly ImageStatistic[], max = 3): string {
  const shown = found.slice(0, max).map((s) => `${s.opType} "${s.node}" ${s.reason}`);
  if (found.length > max) shown.push(`${found.length - max} more`);
  return shown.join(", ");
}

/** The per-image-statistics warning; `tile` in tensor order (`[h, w]`), when known. */
export function imageStatisticsProblem(found: readonly ImageStatistic[], tile?: readonly number[]): string {
  const size = tile && tile.length > 0 ? ` ${formatTile(tile)}` : "";
  return (
    `the model computes statistics per image (${describeImageStatistics(found)}); ZEN computes them per tile, ` +
    `so images larger than the tile${size} give results that depend on the tiling`
  );
}
