/**
 * Work units, pure: a prediction plan (`planPrediction`) cut into pieces that separate
 * processes or machines can run in any order, each writing its own output chunks.
 *
 * A unit is a rectangle of whole output chunks of one stack (the chunk grid of the OME-Zarr
 * array: `chunkSize` pixels, clamped to the image as the sink does), about `unitSize` pixels
 * per side, rounded to whole chunks. It runs the whole tiles of the whole-image cztile grid
 * whose centres meet its chunks (a `TileBlock`): the tile geometry is exactly that of the
 * single-process run, so with crop-and-place stitching every pixel of its chunks comes from the
 * same tile, with the same context, as in one run — no new seams. It reads the tiles' regions
 * (centres plus borders) and writes only its own chunks; neighbouring chunks that its tiles
 * touch belong to other units.
 *
 * Units are numbered stack by stack, then row by row; shard K of N runs the units whose index
 * is K modulo N (`shardUnits`). Plain data, isomorphic, JSON-serialisable.
 */
import { invalidArgument, unsupported } from "../errors.js";
import type { PlaneIndex, Rect } from "../io/types.js";
import type { PredictionPlan } from "./plan.js";
import type { Tile1D } from "./tiling.js";
import type { TileBlock } from "./types.js";

/** Default unit edge in pixels per plane (rounded to whole chunks). */
const DEFAULT_UNIT_SIZE = 2048;

/** A range `[first, end)` of indices. */
type Range = [number, number];

export interface WorkUnit {
  index: number;
  /** The tiles it runs (whole-image geometry). */
  tiles: TileBlock;
  /** The output chunks it writes: chunk row and column ranges, on every plane of `outPlanes`. */
  chunks: { y: Range; x: Range };
  /** The output planes of its stack (one for 2-D models, one per Z for 3-D). */
  outPlanes: PlaneIndex[];
  /** The input pixels it reads (per input plane): its tiles' centres and borders, inside the image. */
  region: Rect;
}

export interface UnitPlan {
  /** Chunk height and width of the output array (the sink's, clamped to the image). */
  chunk: [number, number];
  /** Chunks per unit along Y and X (the last unit of a row or column may hold fewer). */
  unitChunks: [number, number];
  /** Chunk rows and columns of one plane. */
  chunkGrid: [number, number];
  units: WorkUnit[];
}

export interface UnitOptions {
  /** Output chunk edge in pixels (the OME-Zarr sink's `chunkSize`). */
  chunkSize: number;
  /** Unit edge in pixels per plane, rounded to whole chunks (default `DEFAULT_UNIT_SIZE`). */
  unitSize?: number;
}

function checkPositive(value: number, where: string): void {
  if (!Number.isInteger(value) || value < 1) throw invalidArgument(`${value} is not an integer >= 1`, { where });
}

/** The tiles (indices) whose centres meet pixels `[start, end)`: contiguous, since centres abut. */
function tilesMeeting(tiles: readonly Tile1D[], start: number, end: number): Range {
  let first = -1;
  let last = -1;
  tiles.forEach((t, i) => {
    if (t.start < end && t.end > start) {
      if (first < 0) first = i;
      last = i;
    }
  });
  return [first, last + 1];
}

/** Input pixels read by tiles `[first, end)`: from the first ROI's start to the last ROI's end, inside `[0, length)`. */
function readSpan(tiles: readonly Tile1D[], [first, end]: Range, length: number): Range {
  const a = tiles[first]!;
  const b = tiles[end - 1]!;
  return [Math.max(0, a.start - a.left), Math.min(length, b.end + b.right)];
}

/** `[first, end)` ranges of `per` items over `count` items. */
function blocks(count: number, per: number): Range[] {
  const out: Range[] = [];
  for (let i = 0; i < count; i += per) out.push([i, Math.min(count, i + per)]);
  return out;
}

/** Cut `plan` into work units of whole output chunks. Throws for a plan that cannot be cut (blending). */
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
  const unitChunks: [number, number] = [Math.max(1, Math.round(unitSize / chunk[0])), Math.max(1, Math.round(unitSize / chunk[1]))];
  const { ys, xs } = plan.grid;
  const units: WorkUnit[] = [];
  stacks.forEach((stack, s) => {
    for (const cy of blocks(chunkGrid[0], unitChunks[0])) {
      for (const cx of blocks(chunkGrid[1], unitChunks[1])) {
        const ty = tilesMeeting(ys, cy[0] * chunk[0], Math.min(height, cy[1] * chunk[0]));
        const tx = tilesMeeting(xs, cx[0] * chunk[1], Math.min(width, cx[1] * chunk[1]));
        const [y0, y1] = readSpan(ys, ty, height);
        const [x0, x1] = readSpan(xs, tx, width);
        units.push({
          index: units.length,
          tiles: { stack: s, y: ty, x: tx },
          chunks: { y: cy, x: cx },
          outPlanes: stack.outPlanes.map((p) => ({ ...p })),
          region: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
        });
      }
    }
  });
  return { chunk, unitChunks, chunkGrid, units };
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

/** The units shard `shard` runs: unit i belongs to shard i mod N. */
export function shardUnits(units: readonly WorkUnit[], shard: Shard): WorkUnit[] {
  return units.filter((u) => u.index % shard.count === shard.index);
}

/** Whether chunk (cy, cx) of output plane `plane` is one of `unit`'s. */
export function unitHasChunk(unit: WorkUnit, plane: PlaneIndex, cy: number, cx: number): boolean {
  const { y, x } = unit.chunks;
  if (cy < y[0] || cy >= y[1] || cx < x[0] || cx >= x[1]) return false;
  return unit.outPlanes.some((p) => p.scene === plane.scene && p.t === plane.t && p.c === plane.c && p.z === plane.z);
}
