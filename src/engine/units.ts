/**
 * Work units, pure: a prediction plan (`planPrediction`) cut into pieces that separate
 * processes or machines can run in any order.
 *
 * A unit is a block of whole tiles of the whole-image cztile grid on one stack (a plane; a Z
 * stack for 3-D models), about `unitSize` pixels per side. Every tile belongs to exactly one
 * unit, so no tile is computed twice, and the tile geometry is exactly that of the
 * single-process run: with crop-and-place stitching every output pixel comes from the same
 * tile, with the same context, as in one run — no new seams. A unit reads its tiles' regions
 * (centres plus borders) and computes the output pixels `out` (the union of its tiles'
 * centres). Output chunks inside `out` are its own; a chunk that `out` only partly covers is
 * shared with the neighbouring units (`chunkUnits`), each writing its part as a piece that
 * the last of them joins into the chunk (`engine/node/shards.ts`).
 *
 * Units are numbered stack by stack, then row by row; shard K of N runs the units whose index
 * is K modulo N (`shardUnits`). Plain data, isomorphic, JSON-serialisable.
 */
import { invalidArgument, unsupported } from "../errors.js";
import type { PlaneIndex, Rect } from "../io/types.js";
import type { PredictionPlan } from "./plan.js";
import type { Tile1D } from "./tiling.js";
import type { TileBlock } from "./types.js";

/** Default unit edge in pixels per plane (rounded to whole tiles). */
const DEFAULT_UNIT_SIZE = 8192;

/** A range `[first, end)` of indices. */
type Range = [number, number];

export interface WorkUnit {
  index: number;
  /** The tiles it runs (whole-image geometry). */
  tiles: TileBlock;
  /** The output pixels it computes on each of `outPlanes`: its tiles' centres. */
  out: Rect;
  /** The output chunks it writes, whole or in part: chunk row and column ranges. */
  chunks: { y: Range; x: Range };
  /** The output planes of its stack (one for 2-D models, one per Z for 3-D). */
  outPlanes: PlaneIndex[];
  /** The input pixels it reads (per input plane): its tiles' centres and borders, inside the image. */
  region: Rect;
}

/** How a plan is cut: the unit grid, from which any unit is computed by its index (`unitAt`). Small whatever the image size. */
export interface UnitPlan {
  /** Chunk height and width of the output array (the sink's, clamped to the image). */
  chunk: [number, number];
  /** Chunk rows and columns of one plane. */
  chunkGrid: [number, number];
  /** Tiles per unit along Y and X (the last unit of a row or column may hold fewer). */
  unitTiles: [number, number];
  /** Unit rows and columns of one stack. */
  unitGrid: [number, number];
  /** Units in all: stacks × unit rows × unit columns. */
  count: number;
}

export interface UnitOptions {
  /** Output chunk edge in pixels (the OME-Zarr sink's `chunkSize`). */
  chunkSize: number;
  /** Unit edge in pixels per plane, rounded to whole tiles (default `DEFAULT_UNIT_SIZE`). */
  unitSize?: number;
}

function checkPositive(value: number, where: string): void {
  if (!Number.isInteger(value) || value < 1) throw invalidArgument(`${value} is not an integer >= 1`, { where });
}

/** Input pixels read by tiles `[first, end)`: from the first ROI's start to the last ROI's end, inside `[0, length)`. */
function readSpan(tiles: readonly Tile1D[], [first, end]: Range, length: number): Range {
  const a = tiles[first]!;
  const b = tiles[end - 1]!;
  return [Math.max(0, a.start - a.left), Math.min(length, b.end + b.right)];
}

/** Tiles per unit along an axis of `length` pixels cut into `tiles` tiles: about `unitSize` pixels. */
const tilesPerUnit = (length: number, tiles: number, unitSize: number) =>
  Math.min(tiles, Math.max(1, Math.round(unitSize / (length / tiles))));

/** Cut `plan` into work units of whole tiles. Throws for a plan that cannot be cut (blending). */
export function planUnits(plan: PredictionPlan, options: UnitOptions): UnitPlan {
  if (plan.blend !== "none") {
    throw unsupported("work units need crop-and-place stitching: a blended pixel depends on every tile around it", {
      where: "--blend",
      allowed: "none",
    });
  }
  const unitSize = options.unitSize ?? DEFAULT_UNIT_SIZE;
  checkPositive(options.chunkSize, "chunk size");
  checkPositive(unitSize, "--unit-size");
  const { width, height, stacks } = plan.planes;
  const chunk: [number, number] = [Math.min(options.chunkSize, height), Math.min(options.chunkSize, width)];
  const chunkGrid: [number, number] = [Math.ceil(height / chunk[0]), Math.ceil(width / chunk[1])];
  const { ys, xs } = plan.grid;
  const unitTiles: [number, number] = [tilesPerUnit(height, ys.length, unitSize), tilesPerUnit(width, xs.length, unitSize)];
  const unitGrid: [number, number] = [Math.ceil(ys.length / unitTiles[0]), Math.ceil(xs.length / unitTiles[1])];
  return { chunk, chunkGrid, unitTiles, unitGrid, count: stacks.length * unitGrid[0] * unitGrid[1] };
}

/** Tiles `[first, end)` of unit row or column `i` along an axis of `tiles` tiles, `per` per unit. */
const unitTileRange = (i: number, per: number, tiles: number): Range => [i * per, Math.min(tiles, (i + 1) * per)];

/** Unit `index` of the plan. */
export function unitAt(plan: PredictionPlan, units: UnitPlan, index: number): WorkUnit {
  if (!Number.isInteger(index) || index < 0 || index >= units.count)
    throw invalidArgument(`the plan has no unit ${index}`, { allowed: `0 to ${units.count - 1}` });
  const [rows, cols] = units.unitGrid;
  const s = Math.floor(index / (rows * cols));
  const r = Math.floor((index % (rows * cols)) / cols);
  const c = index % cols;
  const { ys, xs } = plan.grid;
  const { width, height } = plan.planes;
  const ty = unitTileRange(r, units.unitTiles[0], ys.length);
  const tx = unitTileRange(c, units.unitTiles[1], xs.length);
  const out = { y: ys[ty[0]]!.start, x: xs[tx[0]]!.start, height: 0, width: 0 };
  out.height = ys[ty[1] - 1]!.end - out.y;
  out.width = xs[tx[1] - 1]!.end - out.x;
  const [y0, y1] = readSpan(ys, ty, height);
  const [x0, x1] = readSpan(xs, tx, width);
  const chunkSpan = (start: number, length: number, size: number): Range => [Math.floor(start / size), Math.ceil((start + length) / size)];
  return {
    index,
    tiles: { stack: s, y: ty, x: tx },
    out,
    chunks: { y: chunkSpan(out.y, out.height, units.chunk[0]), x: chunkSpan(out.x, out.width, units.chunk[1]) },
    outPlanes: plan.planes.stacks[s]!.outPlanes.map((p) => ({ ...p })),
    region: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
  };
}

/** Every unit of the plan, in index order (for `--plan` and `submit`). */
export function allUnits(plan: PredictionPlan, units: UnitPlan): WorkUnit[] {
  return Array.from({ length: units.count }, (_, i) => unitAt(plan, units, i));
}

/** Unit rows (or columns) whose tiles' centres meet pixels `[start, end)` along one axis. */
function unitLinesMeeting(tiles: readonly Tile1D[], per: number, lines: number, start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < lines; i++) {
    const [first, last] = unitTileRange(i, per, tiles.length);
    if (tiles[first]!.start < end && tiles[last - 1]!.end > start) out.push(i);
  }
  return out;
}

/** The units that write a part of chunk (cy, cx) of stack `stack`, in index order (one when the chunk is a unit's own). */
export function chunkUnits(plan: PredictionPlan, units: UnitPlan, stack: number, cy: number, cx: number): number[] {
  const [rows, cols] = units.unitGrid;
  const [ch, cw] = units.chunk;
  const first = stack * rows * cols;
  const ry = unitLinesMeeting(plan.grid.ys, units.unitTiles[0], rows, cy * ch, (cy + 1) * ch);
  const rx = unitLinesMeeting(plan.grid.xs, units.unitTiles[1], cols, cx * cw, (cx + 1) * cw);
  return ry.flatMap((r) => rx.map((c) => first + r * cols + c));
}

/** Shard `k` of `n`, e.g. parsed from `--shard 2/8`. */
export interface Shard {
  index: number;
  count: number;
}

/** Parse `K/N` (0 <= K < N). */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const allowed = "K/N with 0 <= K < N, e.g. 0/4 (K counts from 0)";
  if (!m) throw invalidArgument(`"${text}" is not a shard`, { where: "--shard", allowed });
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw invalidArgument(`shard count ${count} must be at least 1`, { where: "--shard", allowed });
  if (index >= count) throw invalidArgument(`shard ${index} does not exist among ${count} shards`, { where: "--shard", allowed });
  return { index, count };
}

/** The unit indices shard `shard` runs among `count` units: unit i belongs to shard i mod N. */
export function shardUnits(count: number, shard: Shard): number[] {
  const out: number[] = [];
  for (let i = shard.index; i < count; i += shard.count) out.push(i);
  return out;
}
