/**
 * Convex hull area of an object as `skimage.measure.regionprops(...).area_convex` counts it: the
 * hull of every pixel's four edge midpoints (row ± ½, column ± ½), and the number of pixel
 * centres inside the hull or on its boundary. Only the leftmost and rightmost pixel of each row
 * can be hull vertices, so the object keeps those two numbers per row. Exact integer arithmetic
 * on doubled coordinates (all hull points are then integers).
 */

type Point = [x: number, y: number];

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** Andrew's monotone chain; returns the hull counter-clockwise without collinear points. */
function hull(points: Point[]): Point[] {
  points.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const lower: Point[] = [];
  for (const p of points) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  lower.pop();
  upper.pop();
  return lower.concat(upper);
}

/** floor(num / den) for integers, den > 0, exact. */
function floorDiv(num: number, den: number): number {
  let q = Math.floor(num / den);
  if (q * den > num) q--;
  else if ((q + 1) * den <= num) q++;
  return q;
}

/** Doubled-coordinate hull points of the rows' end pixels (row `firstRow + i` spans `left[i]..right[i]`). */
function hullPoints(firstRow: number, left: ArrayLike<number>, right: ArrayLike<number>): Point[] {
  const points: Point[] = [];
  for (let i = 0; i < left.length; i++) {
    const y = 2 * (firstRow + i);
    const l = 2 * left[i]!;
    const r = 2 * right[i]!;
    points.push([l - 1, y], [l, y - 1], [l, y + 1], [r + 1, y], [r, y - 1], [r, y + 1]);
  }
  return points;
}

/** Number of pixel centres in the closed convex hull of the object's pixels (see module comment). */
export function convexPixelCount(firstRow: number, left: ArrayLike<number>, right: ArrayLike<number>): number {
  const poly = hull(hullPoints(firstRow, left, right));
  let count = 0;
  for (let i = 0; i < left.length; i++) {
    const Y = 2 * (firstRow + i);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < poly.length; k++) {
      const [x1, y1] = poly[k]!;
      const [x2, y2] = poly[(k + 1) % poly.length]!;
      if (Y < Math.min(y1, y2) || Y > Math.max(y1, y2)) continue;
      if (y1 === y2) {
        lo = Math.min(lo, -floorDiv(-Math.min(x1, x2), 2));
        hi = Math.max(hi, floorDiv(Math.max(x1, x2), 2));
        continue;
      }
      // X = x1 + (x2 - x1) (Y - y1) / (y2 - y1); pixel column = X / 2
      const sign = y2 > y1 ? 1 : -1;
      const num = sign * (x1 * (y2 - y1) + (x2 - x1) * (Y - y1));
      const den = 2 * sign * (y2 - y1);
      lo = Math.min(lo, -floorDiv(-num, den));
      hi = Math.max(hi, floorDiv(num, den));
    }
    if (hi >= lo) count += hi - lo + 1;
  }
  return count;
}
