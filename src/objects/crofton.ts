/**
 * The Crofton perimeter as `skimage.measure.perimeter_crofton(mask, directions=4)` defines it:
 * every 2×2 window of the object's mask (the mask padded by one empty pixel on each side) gets a
 * code from its four pixels, and the perimeter is the weighted count of codes. The streaming
 * labeler counts codes per object (`CROFTON_CODES` slots) and `croftonPerimeter` weighs them.
 * See docs/objects.md for the window code.
 */

/** Bit of each window position in the code: top-left 8, top-right 2, bottom-left 4, bottom-right 1. */
export const WINDOW_BITS = { topLeft: 8, topRight: 2, bottomLeft: 4, bottomRight: 1 } as const;

export const CROFTON_CODES = 16;

const A = (Math.PI / 4) * (1 + 1 / Math.sqrt(2));
const B = Math.PI / (4 * Math.sqrt(2));
const C = Math.PI / (2 * Math.sqrt(2));
const Q = Math.PI / 4;
const H = Math.PI / 2;

/** Weight of each window code for four directions, in code order. */
const WEIGHTS_4 = [0, A, B, C, 0, A, 0, B, Q, H, B, B, Q, H, 0, 0] as const;

/** Perimeter from window-code counts (`counts[code]`), summed in code order. */
export function croftonPerimeter(counts: ArrayLike<number>): number {
  let total = 0;
  for (let code = 0; code < CROFTON_CODES; code++) total += WEIGHTS_4[code]! * counts[code]!;
  return total;
}
