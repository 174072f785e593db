/**
 * Outlines of one object along pixel edges: every edge between an object pixel and a non-object
 * pixel becomes a directed edge with the object on its right in image coordinates (x right, y
 * down), edges are chained into rings (at a corner where the object touches itself only
 * diagonally the ring turns right, so rings never touch themselves), collinear points are
 * dropped, and each hole is given to the smallest outer ring around it. Outer rings run
 * counter-clockwise and holes clockwise by the signed area of their coordinates (the GeoJSON
 * right-hand rule); the area of outer rings minus holes is the pixel count exactly.
 */
import type { Outline, Ring } from "./types.js";

/** Directions as (dx, dy): 0 east, 1 south, 2 west, 3 north; right turn = +1. */
const DX = [1, 0, -1, 0] as const;
const DY = [0, 1, 0, -1] as const;

/** The object's pixels as a mask of its bounding box padded by one pixel on each side. */
export function maskOf(runs: number[], x0: number, y0: number, w: number, h: number): Uint8Array {
  const mask = new Uint8Array((w + 2) * (h + 2));
  for (let i = 0; i < runs.length; i += 3) {
    const row = (runs[i]! - y0 + 1) * (w + 2);
    for (let x = runs[i + 1]!; x <= runs[i + 2]!; x++) mask[row + x - x0 + 1] = 1;
  }
  return mask;
}

/**
 * Outgoing boundary edges per vertex of the padded mask grid: `out[v]` is a 4-bit set of
 * directions. Vertex (vx, vy) is the top-left corner of padded pixel (vx, vy).
 */
function boundaryEdges(mask: Uint8Array, w: number, h: number): Uint8Array {
  const pw = w + 2;
  const vw = pw + 1;
  const out = new Uint8Array(vw * (h + 3));
  for (let y = 1; y <= h; y++) {
    for (let x = 1; x <= w; x++) {
      if (!mask[y * pw + x]) continue;
      if (!mask[(y - 1) * pw + x]) out[y * vw + x]! |= 1 << 0; // top edge, east from (x, y)
      if (!mask[y * pw + x + 1]) out[y * vw + x + 1]! |= 1 << 1; // right edge, south from (x+1, y)
      if (!mask[(y + 1) * pw + x]) out[(y + 1) * vw + x + 1]! |= 1 << 2; // bottom edge, west from (x+1, y+1)
      if (!mask[y * pw + x - 1]) out[(y + 1) * vw + x]! |= 1 << 3; // left edge, north from (x, y+1)
    }
  }
  return out;
}

/** The lowest direction set in a vertex's edge set. */
function firstDirection(edges: number): number {
  let dir = 0;
  while (!(edges & (1 << dir))) dir++;
  return dir;
}

/** The direction to leave a vertex after arriving in `dir`: right turn first, then straight, then left. */
function nextDirection(edges: number, dir: number): number {
  for (const turn of [1, 0, 3]) {
    const d = (dir + turn) % 4;
    if (edges & (1 << d)) return d;
  }
  return -1;
}

/** Follow edges from vertex `start` leaving in `startDir` until back at `start`; consumes the edges. */
function traceRing(out: Uint8Array, vw: number, start: number, startDir: number): [number, number][] {
  const points: [number, number][] = [];
  let v = start;
  let dir = startDir;
  let prevDir = -1;
  do {
    if (dir !== prevDir) points.push([v % vw, Math.floor(v / vw)]);
    out[v] = out[v]! & ~(1 << dir);
    v += DX[dir]! + DY[dir]! * vw;
    prevDir = dir;
    dir = nextDirection(out[v]!, dir);
  } while (v !== start && dir >= 0);
  return points;
}

/**
 * Cut a closed chain of corners at every corner it visits twice (two holes, or a hole and the
 * outside, meeting at one corner) into simple loops. The loops meet at that corner only.
 */
function simpleLoops(points: [number, number][]): [number, number][][] {
  const loops: [number, number][][] = [];
  const stack: [number, number][] = [];
  const at = new Map<string, number>();
  for (const p of points) {
    const key = `${p[0]},${p[1]}`;
    const k = at.get(key);
    if (k === undefined) {
      at.set(key, stack.length);
      stack.push(p);
      continue;
    }
    const loop = stack.splice(k);
    for (const q of loop) at.delete(`${q[0]},${q[1]}`);
    loops.push(loop);
    at.set(key, stack.length);
    stack.push(p);
  }
  loops.push(stack);
  return loops;
}

function signedArea(ring: [number, number][]): number {
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[(i + 1) % ring.length]!;
    s += x1 * y2 - x2 * y1;
  }
  return s / 2;
}

/** Even-odd test of a point against a ring (point never on an edge here). */
function inside(ring: [number, number][], px: number, py: number): boolean {
  let odd = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) odd = !odd;
  }
  return odd;
}

/** Outline polygons of the object made of `runs` ((y, x0, x1) triples) with the given bounding box. */
export function traceOutline(runs: number[], bbox: Box): Outline {
  return traceMask(maskOf(runs, bbox.x, bbox.y, bbox.width, bbox.height), bbox);
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Outline polygons of a padded mask (`maskOf`'s layout) of the bounding box `bbox`. */
export function traceMask(mask: Uint8Array, bbox: Box): Outline {
  const { width: w, height: h } = bbox;
  const out = boundaryEdges(mask, w, h);
  const vw = w + 3;
  const outers: { ring: [number, number][]; area: number; holes: Ring[] }[] = [];
  const holes: [number, number][][] = [];
  for (let v = 0; v < out.length; v++) {
    while (out[v]) {
      const dir = firstDirection(out[v]!);
      const chain = traceRing(out, vw, v, dir).map(([x, y]): [number, number] => [x - 1 + bbox.x, y - 1 + bbox.y]);
      for (const ring of simpleLoops(chain)) {
        const area = signedArea(ring);
        if (area > 0) outers.push({ ring, area, holes: [] });
        else holes.push(lowestFirst(ring));
      }
    }
  }
  for (const hole of holes) {
    // the pixel just below-right of the hole's first (top-left-most) corner lies inside the hole
    const [hx, hy] = hole[0]!;
    const owner = outers.filter((o) => inside(o.ring, hx + 0.5, hy + 0.5)).sort((a, b) => a.area - b.area)[0];
    owner?.holes.push(close(hole));
  }
  return outers.map((o) => [close(o.ring), ...o.holes]);
}

/** The same ring starting at its top-most, then left-most corner. */
function lowestFirst(ring: [number, number][]): [number, number][] {
  let best = 0;
  for (let i = 1; i < ring.length; i++) {
    const [x, y] = ring[i]!;
    const [bx, by] = ring[best]!;
    if (y < by || (y === by && x < bx)) best = i;
  }
  return [...ring.slice(best), ...ring.slice(0, best)];
}

function close(ring: [number, number][]): Ring {
  return [...ring, ring[0]!];
}
