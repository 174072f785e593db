/**
 * Convex hull area of an object as `skimage.measure.regionprops(...).area_convex` counts it: the
 * hull of every pixel's four edge midpoints (row ± ½, column ± ½), and the number of pixel
 * centres inside the hull or on its boundary. Only the leftmost and rightmost pixel of each row
 * can be hull vertices, so the object keeps those two numbers per row. Exact integer arithmetic
 * on doubled coordinates (all hull points are then integers).
 *
 * In doubled coordinates the candidate points lie on the levels Y = 2·row − 1 … 2·row + 1; on
 * each level only the leftmost and rightmost candidate can be a hull vertex. The hull's left
 * side is the convex chain of every level's leftmost point (ending at the last level's
 * rightmost), its right side that of every level's rightmost point (starting at the first
 * level's leftmost): each is one pass of Andrew's monotone chain over points already in (Y, X)
 * order, into reused scratch buffers. Each row's extent is read off the two chains with one
 * pointer each: linear in the object's height.
 */

/** floor(num / den) for integers, den > 0, exact. */
function floorDiv(num: number, den: number): number {
  let q = Math.floor(num / den);
  if (q * den > num) q--;
  else if ((q + 1) * den <= num) q++;
  return q;
}

/** Scratch buffers reused by every call (the hull is computed synchronously, one object at a time). */
let scratch = new Float64Array(0);

/** A buffer of at least `n` doubles: the start of the scratch buffer, grown when needed. */
function scratchOf(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, 2 * scratch.length));
  return scratch;
}

/**
 * Candidate points by level (level k is Y = 2·firstRow − 1 + k): X of the leftmost in
 * `lo[k]` and of the rightmost in `hi[k]`, for k < `levels`.
 */
function levelExtremes(left: ArrayLike<number>, right: ArrayLike<number>, lo: Float64Array, hi: Float64Array): void {
  const levels = 2 * left.length + 1;
  lo.fill(Number.POSITIVE_INFINITY, 0, levels);
  hi.fill(Number.NEGATIVE_INFINITY, 0, levels);
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
}

/**
 * One side of the hull, from the first level to the last: the leftmost points of every level
 * then the last level's rightmost (`side` −1), or the first level's leftmost then the rightmost
 * of every level (`side` +1), reduced to the convex chain (Andrew's monotone chain; the points
 * are already in (Y, X) order). Written as x, y pairs into `out`; returns the number of points.
 */
function sideChain(lo: Float64Array, hi: Float64Array, levels: number, firstLevel: number, side: 1 | -1, out: Float64Array): number {
  let m = 0;
  for (let s = 0; s <= levels; s++) {
    const k = side < 0 ? Math.min(s, levels - 1) : Math.max(s - 1, 0);
    const px = side < 0 ? (s < levels ? lo[k]! : hi[k]!) : s === 0 ? lo[0]! : hi[k]!;
    const py = firstLevel + k;
    while (m >= 2) {
      const ox = out[2 * m - 4]!;
      const oy = out[2 * m - 3]!;
      const ax = out[2 * m - 2]!;
      const ay = out[2 * m - 1]!;
      if (side * ((ax - ox) * (py - oy) - (ay - oy) * (px - ox)) > 0) break;
      m--;
    }
    out[2 * m] = px;
    out[2 * m + 1] = py;
    m++;
  }
  return m;
}

/** Pointer into a Y-nondecreasing chain; `extent` widens [lo, hi] by the chain's X range at level Y. */
class ChainWalker {
  private j = 0;
  private readonly last: number;
  constructor(
    private readonly c: Float64Array,
    points: number,
  ) {
    this.last = points - 1;
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
  const levels = 2 * left.length + 1;
  // one scratch buffer, four parts: lo, hi, and the two chains (at most levels + 1 points each)
  const chainSize = 2 * (levels + 1);
  const buffer = scratchOf(2 * levels + 2 * chainSize);
  const lo = buffer.subarray(0, levels);
  const hi = buffer.subarray(levels, 2 * levels);
  const leftChain = buffer.subarray(2 * levels, 2 * levels + chainSize);
  const rightChain = buffer.subarray(2 * levels + chainSize);
  levelExtremes(left, right, lo, hi);
  const one = new ChainWalker(leftChain, sideChain(lo, hi, levels, firstLevel, -1, leftChain));
  const other = new ChainWalker(rightChain, sideChain(lo, hi, levels, firstLevel, 1, rightChain));
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
