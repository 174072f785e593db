/**
 * Size limits every image reader shares: what a header may declare before anything is
 * allocated or planned (a plane's sides and pixel count, planes per axis, samples per pixel,
 * the bytes of one decoded tile, strip or chunk). `checkImageInfo` applies them to an opened
 * source, so a header of 2^40 × 2^40 pixels is a one-line error naming the field instead of a
 * run that grows for minutes. The README's "Limits" table lists the same numbers. Isomorphic.
 */
import { invalidImage } from "../errors.js";
import type { ImageInfo } from "./types.js";

const MiB = 1024 * 1024;

/** Largest width or height of a plane (the int32 range every format and engine index fits). */
const MAX_IMAGE_SIDE = 2 ** 31 - 1;

/** Most pixels in one plane (2^36 ≈ 68.7 G, e.g. 262 144 × 262 144). */
const MAX_PLANE_PIXELS = 2 ** 36;

/** Most scenes, T, C or Z planes along one axis (the same cap as `--plane` indices). */
const MAX_AXIS_PLANES = 1_048_576;

/** Most interleaved samples in one pixel (grey, grey + alpha, RGB, RGBA). */
const MAX_SAMPLES_PER_PIXEL = 4;

/** Most bytes of an OME-XML companion metadata file (`*.companion.ome`), parsed whole. */
export const MAX_COMPANION_BYTES = 256 * MiB;

/** Most bytes of one decoded tile, strip or chunk. */
export const MAX_BLOCK_BYTES = 1024 * MiB;

const isCount = (v: number, max: number) => Number.isSafeInteger(v) && v >= 1 && v <= max;

/** Throws INVALID_IMAGE naming the first declared size outside the limits above. */
export function checkImageInfo(info: ImageInfo, where: string): void {
  info.scenes.forEach((s, i) => {
    const at = info.scenes.length > 1 ? `${where}: scene ${i}` : where;
    for (const [field, v] of [
      ["width", s.width],
      ["height", s.height],
    ] as const) {
      if (!isCount(v, MAX_IMAGE_SIDE))
        throw invalidImage(`image ${field} ${v} is impossible`, { where: at, allowed: `1..${MAX_IMAGE_SIDE}` });
    }
    if (s.width * s.height > MAX_PLANE_PIXELS) {
      throw invalidImage(`image of ${s.width}×${s.height} pixels is larger than the limit of ${MAX_PLANE_PIXELS} pixels a plane`, {
        where: at,
        allowed: `width × height up to ${MAX_PLANE_PIXELS}`,
      });
    }
  });
  for (const axis of ["scene", "t", "c", "z"] as const) {
    const v = info.sizes[axis];
    if (!isCount(v, MAX_AXIS_PLANES))
      throw invalidImage(`image size ${axis}=${v} is impossible`, { where, allowed: `1..${MAX_AXIS_PLANES}` });
  }
  if (!isCount(info.samplesPerPixel, MAX_SAMPLES_PER_PIXEL)) {
    throw invalidImage(`SamplesPerPixel=${info.samplesPerPixel} is impossible`, { where, allowed: `1..${MAX_SAMPLES_PER_PIXEL}` });
  }
}
