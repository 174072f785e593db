/**
 * Tiling plans for tiled inference (pure functions, no I/O).
 *
 * Owns: the ZEN / cztile per-axis strategy ("almost equal border, fixed total length",
 * docs/inference.md#tiling-geometry), its 2-D and 3-D products, numpy-`reflect` index mapping for images
 * smaller than a tile (docs/inference.md#images-smaller-than-a-tile), snapping of tile sizes for models with dynamic spatial dims,
 * and the 1-D weights of the optional blended stitching mode (docs/inference.md#stitching).
 *
 * Written by hand because cztile is a Python package; the arithmetic (float64 `j * f`, then
 * `floor`) is the same in JS, so the geometry matches cztile exactly.
 *
 * 3-D models (rank-5 NDHWC): Z is tiled with the same 1-D strategy as X and Y, using the
 * model's Z tile depth and Z border (MinOverlap[0] / 2 when the model gives three values,
 * else 0). A stack with fewer planes than the tile depth is padded by reflection in Z.
 */
import { invalidArgument } from "../errors.js";

/** One tile along one axis. The centre `[start, end)` is kept; the ROI is fed to the model. */
export interface Tile1D {
  /** First pixel of the centre (inside the image). */
  start: number;
  /** One past the last pixel of the centre. */
  end: number;
  /** Context before the centre (pixels); outside the image only when the image is shorter than the tile. */
  left: number;
  /** Context after the centre. */
  right: number;
}

/** First pixel of a tile's ROI (may be negative when the image is shorter than the tile). */
export const roiStart = (t: Tile1D): number => t.start - t.left;
/** One past the last pixel of a tile's ROI. */
export const roiEnd = (t: Tile1D): number => t.end + t.right;

/**
 * cztile `AlmostEqualBorderFixedTotalLengthStrategy1D`: tiles of exactly `tile` pixels whose
 * centres tessellate `[0, length)`. Edge tiles are shifted inward (no border on the image
 * side); inner borders are >= `minBorder` and differ by at most one pixel.
 */
export function cztile1D(length: number, tile: number, minBorder: number): Tile1D[] {
  if (!Number.isInteger(length) || length < 1) throw invalidArgument(`image length ${length} is not a positive integer`);
  if (!Number.isInteger(tile) || tile < 1) throw invalidArgument(`tile length ${tile} is not a positive integer`);
  if (!Number.isInteger(minBorder) || minBorder < 0) {
    throw invalidArgument(`border ${minBorder} is not an integer >= 0`);
  }
  if (2 * minBorder >= tile) {
    throw invalidArgument(`border ${minBorder} per side is too large for a tile of ${tile}`, {
      allowed: `a border less than half the tile length (< ${tile / 2})`,
    });
  }
  if (length < tile) {
    const total = tile - length;
    const left = Math.floor(total / 2);
    return [{ start: 0, end: length, left, right: total - left }];
  }
  if (length === tile) return [{ start: 0, end: tile, left: 0, right: 0 }];

  const maxEdge = tile - minBorder;
  const maxInner = tile - 2 * minBorder;
  const interior = Math.max(0, length - 2 * maxEdge);
  const n = Math.ceil(interior / maxInner) + 2;
  const borders = 2 * n - 2;
  const excess = 2 * maxEdge + (n - 2) * maxInner - length;
  const fractional = excess / borders + minBorder;
  const cumulative: number[] = [];
  for (let j = 0; j <= borders; j++) cumulative.push(Math.floor(j * fractional));
  const bounds: number[] = [0];
  for (let i = 1; i < n; i++) bounds.push(i * tile - cumulative[2 * i - 1]!);
  bounds.push(length);

  const tiles: Tile1D[] = [];
  for (let k = 0; k < n; k++) {
    const start = bounds[k]!;
    const end = bounds[k + 1]!;
    const total = tile - (end - start);
    let left: number;
    if (k === 0) left = 0;
    else if (k === n - 1) left = total;
    else left = cumulative[2 * k]! - cumulative[2 * k - 1]!;
    tiles.push({ start, end, left, right: total - left });
  }
  return tiles;
}

/** A 2-D tiling: the product of one plan per axis (tile rows `ys`, tile columns `xs`). */
export interface TilePlan2D {
  width: number;
  height: number;
  tileHeight: number;
  tileWidth: number;
  borderY: number;
  borderX: number;
  ys: Tile1D[];
  xs: Tile1D[];
  /** True when some ROI reaches outside the image (image smaller than the tile on an axis). */
  padded: boolean;
}

export function planTiles2D(height: number, width: number, tile: readonly [number, number], border: readonly [number, number]): TilePlan2D {
  const ys = cztile1D(height, tile[0], border[0]);
  const xs = cztile1D(width, tile[1], border[1]);
  return {
    width,
    height,
    tileHeight: tile[0],
    tileWidth: tile[1],
    borderY: border[0],
    borderX: border[1],
    ys,
    xs,
    padded: height < tile[0] || width < tile[1],
  };
}

/** A 3-D tiling (rank-5 models): Z tiles `zs` on top of a 2-D plan. */
export interface TilePlan3D extends TilePlan2D {
  depth: number;
  tileDepth: number;
  borderZ: number;
  zs: Tile1D[];
}

export function planTiles3D(
  depth: number,
  height: number,
  width: number,
  tile: readonly [number, number, number],
  border: readonly [number, number, number],
): TilePlan3D {
  const plan2 = planTiles2D(height, width, [tile[1], tile[2]], [border[1], border[2]]);
  const zs = cztile1D(depth, tile[0], border[0]);
  return { ...plan2, depth, tileDepth: tile[0], borderZ: border[0], zs, padded: plan2.padded || depth < tile[0] };
}

/** Number of tiles in a plan. */
export function tileCount(plan: TilePlan2D | TilePlan3D): number {
  const z = "zs" in plan ? plan.zs.length : 1;
  return z * plan.ys.length * plan.xs.length;
}

/**
 * numpy `np.pad(..., mode="reflect")` index map: the image index read for position `i` of an
 * axis of length `n` (mirror without repeating the edge, repeated as often as needed).
 */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

/**
 * Image indices (`rel` = index minus `offset`) for the ROI of `t` on an axis of length `n`:
 * `map[k]` is the position, inside the read window starting at `offset`, of ROI pixel `k`.
 */
export function roiIndexMap(t: Tile1D, n: number, offset: number): Int32Array {
  const s = roiStart(t);
  const len = roiEnd(t) - s;
  const map = new Int32Array(len);
  for (let k = 0; k < len; k++) map[k] = reflectIndex(s + k, n) - offset;
  return map;
}

/** The part of a tile's ROI that lies inside `[0, n)`: what has to be read from the image. */
export function roiReadWindow(t: Tile1D, n: number): { start: number; end: number } {
  return { start: Math.max(0, roiStart(t)), end: Math.min(n, roiEnd(t)) };
}

/**
 * Tile size for a model with dynamic spatial dims: `requested` rounded DOWN to a multiple of
 * `multiple` (at least one multiple), so U-Nets get sizes they accept.
 */
export function snapTileSize(requested: number, multiple: number): number {
  if (!Number.isInteger(requested) || requested < 1) {
    throw invalidArgument(`tile size ${requested} is not a positive integer`, { where: "--tile" });
  }
  if (!Number.isInteger(multiple) || multiple < 1) throw invalidArgument(`tile multiple ${multiple} is not a positive integer`);
  return Math.max(multiple, Math.floor(requested / multiple) * multiple);
}

/**
 * Default tile length on one axis for a dynamic model when none is given: the image length
 * rounded UP to `multiple` (one tile covers it, padded by reflection), capped at `max`
 * (rounded down to `multiple`).
 */
export function defaultDynamicTile(length: number, multiple: number, max = 1024): number {
  const up = Math.ceil(length / multiple) * multiple;
  return Math.min(up, snapTileSize(max, multiple));
}

export type BlendMode = "none" | "linear" | "gaussian";

/**
 * 1-D weights over tile `k`'s ROI for the blended stitching mode (the 2-D weight is the
 * product of the Y and X weights). All weights are > 0; the stitched value is
 * `sum(w * p) / sum(w)` over the tiles covering a pixel.
 *
 * - `linear`: 1 in the middle, ramping down across the overlap with each neighbour
 *   (`(j + 0.5) / overlap`), so two neighbours cross-fade with weights summing to 1. Sides at
 *   the image edge have no ramp.
 * - `gaussian`: `exp(-d² / 2σ²)` with `d` the distance from the ROI centre and σ = length / 8
 *   (MONAI's `sigma_scale` 0.125).
 * - `none`: all 1 (plain averaging of overlaps).
 */
export function blendWeights1D(tiles: readonly Tile1D[], k: number, mode: BlendMode): Float32Array {
  const t = tiles[k]!;
  const s = roiStart(t);
  const len = roiEnd(t) - s;
  const w = new Float32Array(len).fill(1);
  if (mode === "none") return w;
  if (mode === "gaussian") {
    const sigma = len / 8;
    for (let j = 0; j < len; j++) {
      const d = j + 0.5 - len / 2;
      w[j] = Math.exp(-(d * d) / (2 * sigma * sigma));
    }
    return w;
  }
  const prev = tiles[k - 1];
  const next = tiles[k + 1];
  const overlapLeft = prev ? roiEnd(prev) - s : 0;
  const overlapRight = next ? roiEnd(t) - roiStart(next) : 0;
  for (let j = 0; j < len; j++) {
    let v = 1;
    if (overlapLeft > 0 && j < overlapLeft) v = Math.min(v, (j + 0.5) / overlapLeft);
    const fromEnd = len - 1 - j;
    if (overlapRight > 0 && fromEnd < overlapRight) v = Math.min(v, (fromEnd + 0.5) / overlapRight);
    w[j] = v;
  }
  return w;
}
