/**
 * Convex hull area of an object as `skimage.measure.regionprops(...).area_convex` counts it: the
 * hull of every pixel's four edge midpoints (row ± ½, column ± ½), and the number of pixel
 * centres inside the hull or on its boundary. Only the leftmost and rightmost pixel of each row
 * can be hull vertices, so the object keeps those two numbers per row. Exact integer arithmetic
 * on doubled coordinates (all hull points are then integers).
 *
 * In doubled coordinates the candidate points lie on the levels Y = 2·row − 1 … 2·row + 1; on
 * each level only the leftmost and rightmost candidate can be a hull vertex, so the hull is
 * built from at most two points per level, already in (Y, X) order (Andrew's monotone chain
 * without a sort), and each row's extent is read off the hull's two Y-monotone chains with one
 * pointer each: linear in the object's height.
 */

/** floor(num / den) for integers, den > 0, exact. */
function floorDiv(num: number, den: number): number {
  let q = Math.floor(num / den);
  if (q * den > num) q--;
  else if ((q + 1) * den <= num) q++;
  return q;
}

/** Candidate points by level (level k is Y = 2·firstRow − 1 + k): X of the leftmost and rightmost. */
function levelExtremes(left: ArrayLike<number>, right: ArrayLike<number>): { lo: Float64Array; hi: Float64Array } {
  const levels = 2 * left.length + 1;
  const lo = new Float64Array(levels).fill(Number.POSITIVE_INFINITY);
  const hi = new Float64Array(levels).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < left.length; i++) {
    const l = 2 * left[i]!;
    const r = 2 * right[i]!;
    const k = 2 * i + 1;
    // the row's left and right edge midpoints on its own level, top and bottom midpoints above and below
    if (l - 1 < lo[k]!) lo[k] = l - 1;
    if (r + 1 > hi[k]!) hi[k] = r + 1;
    if (l < lo[k - 1]!) lo[k - 1] = l;
    if (r > hi[k - 1]!) hi[k - 1] = r;
    lo[k + 1] = l;
    hi[k + 1] = r;
  }
  return { lo, hi };
}

/** `n` points as flat x, y pairs (typed, sized once: the hull code allocates nothing per point). */
interface Points {
  xy: Float64Array;
  n: number;
}

/** Points sorted by (Y, X). */
function sortedPoints(lo: Float64Array, hi: Float64Array, firstLevel: number): Points {
  const xy = new Float64Array(4 * lo.length);
  let n = 0;
  for (let k = 0; k < lo.length; k++) {
    const y = firstLevel + k;
    xy[2 * n] = lo[k]!;
    xy[2 * n + 1] = y;
    n++;
    if (hi[k]! !== lo[k]!) {
      xy[2 * n] = hi[k]!;
      xy[2 * n + 1] = y;
      n++;
    }
  }
  return { xy, n };
}

/** One monotone chain over the points (taken first to last, or last to first), stored in the order found. */
function chain({ xy, n }: Points, forward: boolean): Points {
  const out = new Float64Array(2 * n);
  let m = 0;
  for (let s = 0; s < n; s++) {
    const i = forward ? s : n - 1 - s;
    const px = xy[2 * i]!;
    const py = xy[2 * i + 1]!;
    while (m >= 2) {
      const ox = out[2 * m - 4]!;
      const oy = out[2 * m - 3]!;
      const ax = out[2 * m - 2]!;
      const ay = out[2 * m - 1]!;
      if ((ax - ox) * (py - oy) - (ay - oy) * (px - ox) > 0) break;
      m--;
    }
    out[2 * m] = px;
    out[2 * m + 1] = py;
    m++;
  }
  return { xy: out, n: m };
}

/** The points in reverse order. */
function reversed({ xy, n }: Points): Points {
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[2 * i] = xy[2 * (n - 1 - i)]!;
    out[2 * i + 1] = xy[2 * (n - 1 - i) + 1]!;
  }
  return { xy: out, n };
}

/** Pointer into a Y-nondecreasing chain; `extent` widens [lo, hi] by the chain's X range at level Y. */
class ChainWalker {
  private j = 0;
  private readonly c: Float64Array;
  private readonly last: number;
  constructor(points: Points) {
    this.c = points.xy;
    this.last = points.n - 1;
  }

  extent(Y: number, range: { lo: number; hi: number }): void {
    const { c, last } = this;
    while (this.j < last && c[2 * this.j + 3]! < Y) this.j++;
    for (let j = this.j; j < last && c[2 * j + 1]! <= Y; j++) {
      const x1 = c[2 * j]!;
      const y1 = c[2 * j + 1]!;
      const x2 = c[2 * j + 2]!;
      const y2 = c[2 * j + 3]!;
      if (Y < y1 || Y > y2) continue;
      if (y1 === y2) {
        range.lo = Math.min(range.lo, -floorDiv(-Math.min(x1, x2), 2));
        range.hi = Math.max(range.hi, floorDiv(Math.max(x1, x2), 2));
        continue;
      }
      // X = x1 + (x2 - x1) (Y - y1) / (y2 - y1); pixel column = X / 2
      const num = x1 * (y2 - y1) + (x2 - x1) * (Y - y1);
      const den = 2 * (y2 - y1);
      range.lo = Math.min(range.lo, -floorDiv(-num, den));
      range.hi = Math.max(range.hi, floorDiv(num, den));
    }
  }
}

/** Number of pixel centres in the closed convex hull of the object's pixels (see module comment). */
export function convexPixelCount(firstRow: number, left: ArrayLike<number>, right: ArrayLike<number>): number {
  const firstLevel = 2 * firstRow - 1;
  const { lo, hi } = levelExtremes(left, right);
  const points = sortedPoints(lo, hi, firstLevel);
  // the two chains from the lowest (Y, X) point to the highest, each Y-nondecreasing
  const one = new ChainWalker(chain(points, true));
  const other = new ChainWalker(reversed(chain(points, false)));
  let count = 0;
  const range = { lo: 0, hi: 0 };
  for (let i = 0; i < left.length; i++) {
    const Y = 2 * (firstRow + i);
    range.lo = Number.POSITIVE_INFINITY;
    range.hi = Number.NEGATIVE_INFINITY;
    one.extent(Y, range);
    other.extent(Y, range);
    if (range.hi >= range.lo) count += range.hi - range.lo + 1;
  }
  return count;
}
