/**
 * Hole filling per object (`fillHoles`), as `scipy.ndimage.binary_fill_holes` does it on the
 * object's mask: a hole is a set of non-object pixels, 4-connected among themselves, that does
 * not reach the edge of the object's bounding box. Works on the padded bounding-box mask of
 * `outline.ts` (`maskOf`) once the object is complete, and gives the filled mask, the hole
 * pixels as runs, their moment sums, and the Crofton window codes of the filled mask.
 */
import { CROFTON_CODES, WINDOW_BITS } from "./crofton.js";

export interface FilledHoles {
  /** The padded mask with the holes set. */
  mask: Uint8Array;
  /** Hole pixels as (y, x0, x1) triples in image coordinates. */
  runs: number[];
  count: number;
  /** Sums of (y − y0), (x − x0), squares and product over the hole pixels. */
  sumY: number;
  sumX: number;
  sumYY: number;
  sumXX: number;
  sumXY: number;
}

/** Fill the holes of a padded mask of a `w × h` bounding box at (bx, by); sums relative to (y0, x0). */
export function fillHoles(mask: Uint8Array, w: number, h: number, bx: number, by: number, y0: number, x0: number): FilledHoles {
  const pw = w + 2;
  const outside = new Uint8Array(mask.length);
  // the padding ring is outside; flood the non-object pixels reachable from it (4-connected)
  const stack: number[] = [0];
  outside[0] = 1;
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % pw;
    for (const j of [i - pw, i + pw, x > 0 ? i - 1 : -1, x < pw - 1 ? i + 1 : -1]) {
      if (j < 0 || j >= mask.length || outside[j] || mask[j]) continue;
      outside[j] = 1;
      stack.push(j);
    }
  }
  const filled = { mask: mask.slice(), runs: [] as number[], count: 0, sumY: 0, sumX: 0, sumYY: 0, sumXX: 0, sumXY: 0 };
  for (let y = 1; y <= h; y++) {
    let start = -1;
    for (let x = 1; x <= w + 1; x++) {
      const i = y * pw + x;
      const hole = x <= w && !mask[i] && !outside[i];
      if (hole) {
        filled.mask[i] = 1;
        if (start < 0) start = x;
        const dy = y - 1 + by - y0;
        const dx = x - 1 + bx - x0;
        filled.count++;
        filled.sumY += dy;
        filled.sumX += dx;
        filled.sumYY += dy * dy;
        filled.sumXX += dx * dx;
        filled.sumXY += dy * dx;
      } else if (start >= 0) {
        filled.runs.push(y - 1 + by, start - 1 + bx, x - 2 + bx);
        start = -1;
      }
    }
  }
  return filled;
}

/** Crofton window-code counts of a padded mask (every 2×2 window that touches the box). */
export function croftonCounts(mask: Uint8Array, w: number, h: number): Float64Array {
  const pw = w + 2;
  const counts = new Float64Array(CROFTON_CODES);
  for (let y = 0; y <= h; y++) {
    for (let x = 0; x <= w; x++) {
      const i = y * pw + x;
      const code =
        (mask[i] ? WINDOW_BITS.topLeft : 0) |
        (mask[i + 1] ? WINDOW_BITS.topRight : 0) |
        (mask[i + pw] ? WINDOW_BITS.bottomLeft : 0) |
        (mask[i + pw + 1] ? WINDOW_BITS.bottomRight : 0);
      counts[code] = counts[code]! + 1;
    }
  }
  return counts;
}
