/**
 * Resolution pyramids of chunked outputs: how many 2× levels an image gets and how one chunk
 * of a level becomes its share of the next level. Each level halves width and height,
 * rounding up (`ceil(n / 2)`), until both are at most `PYRAMID_SMALLEST` (1024) pixels. A pixel
 * of level l + 1 comes from the 2×2 block of level l at (2y, 2x) — fewer pixels at an odd edge:
 * - labels: the block's top-left pixel (nearest neighbour; label values are never mixed);
 * - everything else (intensities, probabilities, regression): the mean of the block's pixels,
 *   summed in double in row order, rounded half up for integer samples (`floor(mean + 0.5)`),
 *   rounded to the nearest float32 for float samples.
 * Each level is made from the level above it, chunk by chunk: chunk origins are even, so the
 * result equals downsampling the whole level at once. `pyramid: "auto"` (the default of
 * `image-convert` and `predict`) means a pyramid for images with a side over `PYRAMID_AUTO_SIDE`.
 * Isomorphic.
 */
import type { Chunk } from "./chunk-grid.js";
import { allocSamples, type OutputImageInfo, type Rect, type SampleArray, type SampleType } from "./types.js";

/** Levels stop once width and height are both at most this. */
const PYRAMID_SMALLEST = 1024;

/** `pyramid: "auto"` builds a pyramid for images with a side longer than this. */
export const PYRAMID_AUTO_SIDE = 4096;

type DownsampleRule = "top-left" | "mean";

/** Whether an output gets a pyramid: true, false, or `auto` = when a side is over `PYRAMID_AUTO_SIDE`. */
export type PyramidOption = boolean | "auto";

/** Number of levels (1 = the full resolution only) for a `width × height` image. */
export function pyramidLevelCount(width: number, height: number): number {
  let levels = 1;
  for (let w = width, h = height; w > PYRAMID_SMALLEST || h > PYRAMID_SMALLEST; levels++) {
    w = Math.ceil(w / 2);
    h = Math.ceil(h / 2);
  }
  return levels;
}

/** Levels a `width × height` output gets under `option` (1 = the full resolution only). */
export function pyramidLevelsFor(option: PyramidOption, width: number, height: number): number {
  const on = option === "auto" ? Math.max(width, height) > PYRAMID_AUTO_SIDE : option;
  return on ? pyramidLevelCount(width, height) : 1;
}

/**
 * The next level's pixels of one block of `width × height` pixels (`K` samples each, interleaved)
 * stored in `data` with row stride `stride` pixels: `ceil(width / 2) × ceil(height / 2) × K` samples.
 */
function downsample2x(
  data: SampleArray,
  stride: number,
  width: number,
  height: number,
  K: number,
  type: SampleType,
  rule: DownsampleRule,
): SampleArray {
  const w2 = Math.ceil(width / 2);
  const h2 = Math.ceil(height / 2);
  const out = allocSamples(type, w2 * h2 * K);
  const round = type !== "float32" && type !== "float64";
  // One sample, full 2×2 blocks (all but an odd last row and column): the hot path, without per-pixel branches.
  const fullRows = K === 1 ? Math.floor(height / 2) : 0;
  const fullCols = Math.floor(width / 2);
  for (let y = 0; y < fullRows; y++) {
    const r0 = 2 * y * stride;
    const r1 = r0 + stride;
    const o = y * w2;
    if (rule === "top-left") for (let x = 0; x < fullCols; x++) out[o + x] = data[r0 + 2 * x]!;
    else if (round)
      for (let x = 0, i = r0, j = r1; x < fullCols; x++, i += 2, j += 2)
        out[o + x] = Math.floor((data[i]! + data[i + 1]! + data[j]! + data[j + 1]!) / 4 + 0.5);
    else
      for (let x = 0, i = r0, j = r1; x < fullCols; x++, i += 2, j += 2)
        out[o + x] = (data[i]! + data[i + 1]! + data[j]! + data[j + 1]!) / 4;
  }
  for (let y = 0; y < h2; y++) {
    const y0 = 2 * y;
    const rows = y0 + 1 < height ? 2 : 1;
    for (let x = y < fullRows ? fullCols : 0; x < w2; x++) {
      const x0 = 2 * x;
      const cols = x0 + 1 < width ? 2 : 1;
      for (let k = 0; k < K; k++) {
        const at = (y * w2 + x) * K + k;
        if (rule === "top-left") {
          out[at] = data[(y0 * stride + x0) * K + k]!;
          continue;
        }
        let sum = 0;
        for (let dy = 0; dy < rows; dy++) for (let dx = 0; dx < cols; dx++) sum += data[((y0 + dy) * stride + x0 + dx) * K + k]!;
        const mean = sum / (rows * cols);
        out[at] = round ? Math.floor(mean + 0.5) : mean;
      }
    }
  }
  return out;
}

/**
 * A complete chunk of a pyramid level (chunks of `chunkW × chunkH` pixels on a level of
 * `level.width × level.height`) as the next level's rectangle and pixels: labels keep each 2×2
 * block's top-left pixel, everything else takes the mean. Chunk origins are even (multiples of
 * an even chunk size, or 0), so the halves of neighbouring chunks line up.
 */
export function halfOfChunk(
  chunk: Pick<Chunk, "cx" | "cy" | "data">,
  chunkW: number,
  chunkH: number,
  level: { width: number; height: number },
  info: Pick<OutputImageInfo, "kind" | "samplesPerPixel" | "sampleType">,
): { rect: Rect; data: SampleArray } {
  const rule: DownsampleRule = info.kind === "labels" ? "top-left" : "mean";
  const x = chunk.cx * chunkW;
  const y = chunk.cy * chunkH;
  const w = Math.min(chunkW, level.width - x);
  const h = Math.min(chunkH, level.height - y);
  const data = downsample2x(chunk.data, chunkW, w, h, info.samplesPerPixel, info.sampleType, rule);
  return { rect: { x: x / 2, y: y / 2, width: Math.ceil(w / 2), height: Math.ceil(h / 2) }, data };
}
