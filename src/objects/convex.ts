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
 * order, into a reused scratch buffer. Each row's extent is read off the two chains with one
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

/** Append point (px, py) at `out` to the chain of `m` points there, dropping the points it makes non-convex; the new count. */
function pushConvex(buf: Float64Array, out: number, m: number, px: number, py: number, side: 1 | -1): number {
  let n = m;
  while (n >= 2) {
    const o = out + 2 * n - 4;
    const ox = buf[o]!;
    const oy = buf[o + 1]!;
    if (side * ((buf[o + 2]! - ox) * (py - oy) - (buf[o + 3]! - oy) * (px - ox)) > 0) break;
    n--;
  }
  buf[out + 2 * n] = px;
  buf[out + 2 * n + 1] = py;
  return n + 1;
}

/**
 * The hull's left side from the first level to the last, at `buf[out…]` as x, y pairs: the
 * leftmost candidate of every level, then the last level's rightmost, reduced to the convex
 * chain. The point between rows i − 1 and i (the leftmost of their bottom and top edge
 * midpoints) lies on or right of the line through the two rows' left edge midpoints unless the
 * rows' left ends differ by more than one column, so only then is it a candidate. Returns the
 * number of points.
 */
function leftChain(left: ArrayLike<number>, right: ArrayLike<number>, firstLevel: number, buf: Float64Array, out: number): number {
  const rows = left.length;
  let m = pushConvex(buf, out, 0, 2 * left[0]!, firstLevel, -1);
  for (let i = 0; i < rows; i++) {
    const l = left[i]!;
    if (i > 0) {
      const above = left[i - 1]!;
      if (l - above > 1 || above - l > 1) m = pushConvex(buf, out, m, 2 * Math.min(l, above), firstLevel + 2 * i, -1);
    }
    m = pushConvex(buf, out, m, 2 * l - 1, firstLevel + 2 * i + 1, -1);
  }
  m = pushConvex(buf, out, m, 2 * left[rows - 1]!, firstLevel + 2 * rows, -1);
  return pushConvex(buf, out, m, 2 * right[rows - 1]!, firstLevel + 2 * rows, -1);
}

/** The hull's right side: the first level's leftmost point, then the rightmost candidate of every level (see `leftChain`). */
function rightChain(left: ArrayLike<number>, right: ArrayLike<number>, firstLevel: number, buf: Float64Array, out: number): number {
  const rows = right.length;
  let m = pushConvex(buf, out, 0, 2 * left[0]!, firstLevel, 1);
  m = pushConvex(buf, out, m, 2 * right[0]!, firstLevel, 1);
  for (let i = 0; i < rows; i++) {
    const r = right[i]!;
    if (i > 0) {
      const above = right[i - 1]!;
      if (r - above > 1 || above - r > 1) m = pushConvex(buf, out, m, 2 * Math.max(r, above), firstLevel + 2 * i, 1);
    }
    m = pushConvex(buf, out, m, 2 * r + 1, firstLevel + 2 * i + 1, 1);
  }
  return pushConvex(buf, out, m, 2 * right[rows - 1]!, firstLevel + 2 * rows, 1);
}

/**
 * The index (at `buf[chain…]`, x, y pairs) of the chain segment that reaches level `Y`, from
 * segment `from` on; the chain's levels do not decrease, and its last point lies below `Y`.
 */
function segmentAt(buf: Float64Array, chain: number, from: number, Y: number): number {
  let j = from;
  while (buf[chain + 2 * j + 3]! < Y) j++;
  return j;
}

/**
 * The pixel column where segment `j` of a chain crosses level `Y`: X / 2, rounded up (`up`, the
 * left side) or down (the right side), exactly.
 */
function columnAt(buf: Float64Array, chain: number, j: number, Y: number, up: boolean): number {
  const o = chain + 2 * j;
  const x1 = buf[o]!;
  const y1 = buf[o + 1]!;
  const x2 = buf[o + 2]!;
  const y2 = buf[o + 3]!;
  // X = x1 + (x2 − x1)(Y − y1) / (y2 − y1); pixel rows never lie on the first or last level, so y2 > y1
  const num = x1 * (y2 - y1) + (x2 - x1) * (Y - y1);
  const den = 2 * (y2 - y1);
  return up ? -floorDiv(-num, den) : floorDiv(num, den);
}

/** Number of pixel centres in the closed convex hull of the object's pixels (see module comment). */
export function convexPixelCount(firstRow: number, left: ArrayLike<number>, right: ArrayLike<number>): number {
  const rows = left.length;
  const firstLevel = 2 * firstRow - 1;
  // one scratch buffer for the two chains, at most 2·rows + 2 points each
  const chainSize = 2 * (2 * rows + 2);
  const buf = scratchOf(2 * chainSize);
  const leftAt = 0;
  const rightAt = chainSize;
  leftChain(left, right, firstLevel, buf, leftAt);
  rightChain(left, right, firstLevel, buf, rightAt);
  let count = 0;
  let jl = 0;
  let jr = 0;
  // each row's extent: from the left side's crossing (rounded up) to the right side's (rounded down)
  for (let i = 0; i < rows; i++) {
    const Y = 2 * (firstRow + i);
    jl = segmentAt(buf, leftAt, jl, Y);
    jr = segmentAt(buf, rightAt, jr, Y);
    const lo = columnAt(buf, leftAt, jl, Y, true);
    const hi = columnAt(buf, rightAt, jr, Y, false);
    if (hi >= lo) count += hi - lo + 1;
  }
  return count;
}
