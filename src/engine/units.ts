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
const DEFAULT_UNIT_SIZE = 2048;

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

export interface UnitPlan {
  /** Chunk height and width of the output array (the sink's, clamped to the image). */
  chunk: [number, number];
  /** Chunk rows and columns of one plane. */
  chunkGrid: [number, number];
  /** Tiles per unit along Y and X (the last unit of a row or column may hold fewer). */
  unitTiles: [number, number];
  /** Unit rows and columns of one stack. */
  unitGrid: [number, number];
  units: WorkUnit[];
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

/** `[first, end)` ranges of `per` items over `count` items. */
function blocks(count: number, per: number): Range[] {
  const out: Range[] = [];
  for (let i = 0; i < count; i += per) out.push([i, Math.min(count, i + per)]);
  return out;
}

/** Tiles per unit along an axis of `length` pixels cut into `tiles` tiles: about `unitSize` pixels. */
const tilesPerUnit = (length: number, tiles: number, unitSize: number) => Math.max(1, Math.round(unitSize / (length / tiles)));

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
  const rows = blocks(ys.length, unitTiles[0]);
  const cols = blocks(xs.length, unitTiles[1]);
  const units: WorkUnit[] = [];
  stacks.forEach((stack, s) => {
    for (const ty of rows) {
      for (const tx of cols) {
        const out = { y: ys[ty[0]]!.start, x: xs[tx[0]]!.start, height: 0, width: 0 };
        out.height = ys[ty[1] - 1]!.end - out.y;
        out.width = xs[tx[1] - 1]!.end - out.x;
        const [y0, y1] = readSpan(ys, ty, height);
        const [x0, x1] = readSpan(xs, tx, width);
        const chunkSpan = (start: number, length: number, size: number): Range => [
          Math.floor(start / size),
          Math.ceil((start + length) / size),
        ];
        units.push({
          index: units.length,
          tiles: { stack: s, y: ty, x: tx },
          out,
          chunks: { y: chunkSpan(out.y, out.height, chunk[0]), x: chunkSpan(out.x, out.width, chunk[1]) },
          outPlanes: stack.outPlanes.map((p) => ({ ...p })),
          region: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
        });
      }
    }
  });
  return { chunk, chunkGrid, unitTiles, unitGrid: [rows.length, cols.length], units };
}

/** Units whose pixel range (along one axis, by unit row or column) meets `[start, end)`. */
function unitsAlong(units: readonly WorkUnit[], count: number, step: number, axis: "y" | "x", start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const r = units[i * step]!.out;
    const [a, b] = axis === "y" ? [r.y, r.y + r.height] : [r.x, r.x + r.width];
    if (a < end && b > start) out.push(i);
  }
  return out;
}

/** The units that write a part of chunk (cy, cx) of stack `stack`, in index order (one when the chunk is a unit's own). */
export function chunkUnits(plan: UnitPlan, stack: number, cy: number, cx: number): number[] {
  const [rows, cols] = plan.unitGrid;
  const [ch, cw] = plan.chunk;
  const first = stack * rows * cols;
  const stackUnits = plan.units.slice(first, first + rows * cols);
  const ry = unitsAlong(stackUnits, rows, cols, "y", cy * ch, (cy + 1) * ch);
  const rx = unitsAlong(stackUnits, cols, 1, "x", cx * cw, (cx + 1) * cw);
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

/** The units shard `shard` runs: unit i belongs to shard i mod N. */
export function shardUnits(units: readonly WorkUnit[], shard: Shard): WorkUnit[] {
  return units.filter((u) => u.index % shard.count === shard.index);
}
