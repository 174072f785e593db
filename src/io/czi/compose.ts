/**
 * Plane composition: paste one decoded subblock into a region buffer. The subblock covers a
 * placement rectangle in the output's pixel grid; its stored pixels are copied 1:1 when the
 * sizes agree (level 0) and nearest-neighbour resampled otherwise (pyramid subblocks whose
 * stored size is not exactly the placement size). Later pastes overwrite earlier ones.
 */
import type { Rect, SampleArray } from "../types.js";

export interface StoredPixels {
  samples: SampleArray;
  /** Stored size of the whole subblock. */
  width: number;
  height: number;
  /** First stored row present in `samples` (rows may be a band of the subblock). */
  row0: number;
  /** Rows present in `samples`. */
  rows: number;
}

/** The stored rows `[first, end)` needed to paint the part of `place` inside `region`. */
export function rowsNeeded(region: Rect, place: Rect, storedHeight: number): [number, number] | undefined {
  const y0 = Math.max(region.y, place.y);
  const y1 = Math.min(region.y + region.height, place.y + place.height);
  const x0 = Math.max(region.x, place.x);
  const x1 = Math.min(region.x + region.width, place.x + place.width);
  if (y0 >= y1 || x0 >= x1) return undefined;
  return [sourceIndex(y0 - place.y, place.height, storedHeight), sourceIndex(y1 - 1 - place.y, place.height, storedHeight) + 1];
}

/** Stored index for output index `i` of a placement of `placed` pixels from `stored` pixels. */
function sourceIndex(i: number, placed: number, stored: number): number {
  if (placed === stored) return i;
  return Math.min(stored - 1, Math.floor(((i + 0.5) * stored) / placed));
}

/** Paint `src` (placed at `place`) into `dst`, which holds `region` with `spp` samples a pixel. */
export function pasteTile(dst: SampleArray, region: Rect, spp: number, src: StoredPixels, place: Rect): void {
  const x0 = Math.max(region.x, place.x);
  const x1 = Math.min(region.x + region.width, place.x + place.width);
  const y0 = Math.max(region.y, place.y);
  const y1 = Math.min(region.y + region.height, place.y + place.height);
  if (x0 >= x1 || y0 >= y1) return;
  const identityX = place.width === src.width;
  const cols = x1 - x0;
  let colMap: Int32Array | undefined;
  if (!identityX) {
    colMap = new Int32Array(cols);
    for (let i = 0; i < cols; i++) colMap[i] = sourceIndex(x0 + i - place.x, place.width, src.width);
  }
  for (let y = y0; y < y1; y++) {
    const sy = sourceIndex(y - place.y, place.height, src.height) - src.row0;
    if (sy < 0 || sy >= src.rows) continue; // not read (cannot happen when rows come from rowsNeeded)
    const dstBase = ((y - region.y) * region.width + (x0 - region.x)) * spp;
    const srcRow = sy * src.width;
    if (colMap === undefined) {
      const s = (srcRow + (x0 - place.x)) * spp;
      dst.set(src.samples.subarray(s, s + cols * spp), dstBase);
    } else {
      for (let i = 0; i < cols; i++) {
        const s = (srcRow + colMap[i]!) * spp;
        for (let k = 0; k < spp; k++) dst[dstBase + i * spp + k] = src.samples[s + k]!;
      }
    }
  }
}
