/**
 * Prediction planning, pure: from the model's metadata, the session's input/output facts, the
 * image's facts and the options, decide what a prediction does: which outputs, the channel
 * mapping and intensity scaling, the planes (stacks), tile and border, the tile grid, the
 * batch size and the notes for the user. No onnxruntime, no I/O, no clocks: the same input
 * always gives the same `PredictionPlan`, which is plain JSON-serialisable data (numbers,
 * strings, arrays, plain objects), so it can be tested on its own, logged, or cut into units
 * of work and sent elsewhere.
 *
 * Planning has two steps because the session takes a while to open: `planInput` needs only
 * the model and the image (its errors are reported before the session opens), `planGeometry`
 * without session facts gives the tile the session will most likely agree on (so the first
 * tile can be read while it opens), and `planPrediction` gives the whole plan once the session
 * facts are known.
 *
 * Defaults: batch 4 tiles when the model's batch dim is dynamic (a fixed batch dim is always
 * used as is); tile for dynamic models = the model's metadata tile, else the image extent
 * rounded up to `tileMultiple` (16) and capped at 1024 per axis.
 */
import { invalidArgument, invalidModel, unsupported } from "../errors.js";
import { TILE_LIMITS_TEXT, tileTooLarge } from "../metadata/tile-limits.js";
import type { ImageInfo, PhysicalSize } from "../io/types.js";
import { imageStatisticsProblem } from "../validate/zen-rules.js";
import { checkMinConfidence, type OutputKind } from "./outputs.js";
import { planModelInput, type ChannelMapping, type Scaling } from "./pixels.js";
import { planStacks, type StackPlan } from "./planes.js";
import type { SessionLayout } from "./session.js";
import {
  defaultDynamicTile,
  planTiles2D,
  planTiles3D,
  snapTileSize,
  tileCount,
  type BlendMode,
  type TilePlan2D,
  type TilePlan3D,
} from "./tiling.js";
import type { EngineModel, PredictOptions, TileBlock } from "./types.js";

/**
 * Default batch for a dynamic batch dim: as many tiles as fit in `DEFAULT_BATCH_PIXELS` input
 * pixels, between 1 and `DEFAULT_BATCH`. The runtime's working memory grows with batch × tile
 * (activations of every layer): four 1024² tiles of the real nuclei model took the process
 * past 1.4 GB, one tile stays near 0.55 GB, and on a CPU batching adds little speed.
 */
const DEFAULT_BATCH = 4;
const DEFAULT_BATCH_PIXELS = 1 << 20;

function defaultBatchFor(tile: readonly number[]): number {
  const pixels = tile.reduce((a, b) => a * b, 1);
  return Math.max(1, Math.min(DEFAULT_BATCH, Math.floor(DEFAULT_BATCH_PIXELS / pixels)));
}
const DEFAULT_TILE_MULTIPLE = 16;

/** What planning needs to know about the model: its description without the ONNX bytes. */
export type ModelFacts = Omit<EngineModel, "onnx">;

/** What planning needs to know about the session: its input/output names and shapes (`readSessionLayout`). */
export type SessionFacts = SessionLayout;

/** The options of `predict` that planning reads. */
export type PlanOptions = Pick<
  PredictOptions,
  | "output"
  | "minConfidence"
  | "border"
  | "blend"
  | "tile"
  | "batch"
  | "planes"
  | "channelOrder"
  | "rescale"
  | "intensityRange"
  | "groupChannels"
  | "tiles"
>;

/** The part of the plan that needs no session (`planInput`). */
export interface InputPlan {
  /** Spatial dims of the model: 2 (NHWC) or 3 (NDHWC). */
  dims: 2 | 3;
  blend: BlendMode;
  /** Segmentation labels: best-class probability below which a pixel is unclassified; null for none. */
  minConfidence: number | null;
  /** The outputs written, in sink order (`both` = labels, then probabilities). */
  outputs: OutputKind[];
  mapping: ChannelMapping;
  scaling: Scaling;
  /** Which input planes make which output planes. */
  planes: StackPlan;
  /** The image extent in tensor order: `[h, w]`, or `[z, h, w]` for 3-D models. */
  extent: number[];
  /** The image's pixel size, carried to the outputs. */
  physicalSize?: PhysicalSize;
}

/** Tile, border and the tile grid (`planGeometry`). */
export interface TileGeometry {
  /** Tile in tensor order (`[h, w]` or `[z, h, w]`) and border per side. */
  tile: number[];
  border: number[];
  grid: TilePlan2D | TilePlan3D;
  /** Notes about the tile (e.g. snapped to the model's multiple). */
  notes: string[];
}

/** Tiles per session run: `max` tiles are taken per batch; `run` is the batch the buffers hold (a fixed batch dim is always filled up to it). */
interface BatchPlan {
  max: number;
  run: number;
  /** Whether the model's batch dim is dynamic (a short last batch runs short). */
  dynamic: boolean;
}

/** Everything a prediction does, decided before the first tile is read. Plain data. */
export interface PredictionPlan extends InputPlan, TileGeometry {
  model: { name: string; id?: string; kind: EngineModel["kind"] };
  /** The session's input and output (names, fixed dims). */
  session: SessionFacts;
  tilesPerPlane: number;
  /** Tiles run: over all stacks, or those of `tiles`. */
  totalTiles: number;
  /** Only this block of tiles is run (one work unit); absent: every tile. */
  tiles?: TileBlock;
  batch: BatchPlan;
  /** Output pixels over all output planes, in megapixels. */
  megapixelsTotal: number;
  /** Things the user should know (replicated grey, padding, snapped tile …), in order. */
  notes: string[];
}

/** The outputs written for the `output` option; throws for an unknown one. */
export function planOutputs(kind: EngineModel["kind"], output: PredictOptions["output"]): OutputKind[] {
  const selected = output ?? "labels";
  if (!["labels", "probabilities", "both"].includes(selected)) {
    throw invalidArgument(`output '${selected}' is not known`, { where: "--output", allowed: "labels, probabilities, both" });
  }
  if (kind === "regression") return ["regression"];
  return selected === "both" ? ["labels", "probabilities"] : [selected];
}

/** The session-independent part of the plan; its errors come before the session is opened. */
export function planInput(model: ModelFacts, image: ImageInfo, options: PlanOptions): InputPlan {
  const outputs = planOutputs(model.kind, options.output);
  const dims = model.spatialDims ?? (model.tile?.length === 3 ? 3 : 2);
  const blend: BlendMode = options.blend ?? "none";
  if (!["none", "linear", "gaussian"].includes(blend)) {
    throw invalidArgument(`blend mode '${blend}' is not known`, { where: "--blend", allowed: "none, linear, gaussian" });
  }
  if (blend !== "none" && dims === 3) throw unsupported("blending is only available for 2-D models", { where: "--blend" });
  const minConfidence = checkMinConfidence(options.minConfidence);
  const { mapping, scaling } = planModelInput(model, image, options);
  const planes = planStacks(image, options.planes, mapping.planesPerInput, dims);
  const extent = dims === 3 ? [image.sizes.z, planes.height, planes.width] : [planes.height, planes.width];
  return {
    dims,
    blend,
    minConfidence: minConfidence === -Infinity ? null : minConfidence,
    outputs,
    mapping,
    scaling,
    planes,
    extent,
    ...(image.physicalSize ? { physicalSize: image.physicalSize } : {}),
  };
}

function checkInts(values: readonly number[], min: number, what: string, where: string): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v < min) throw invalidArgument(`${what} ${v} is not an integer >= ${min}`, { where });
  }
}

/** The tile in tensor order; fixed by the session, else option / metadata / default. */
function resolveTile(
  model: ModelFacts,
  spatialIn: readonly (number | null)[],
  options: PlanOptions,
  extent: number[],
  dims: number,
): { tile: number[]; notes: string[] } {
  const notes: string[] = [];
  const requested = options.tile;
  if (requested) {
    if (requested.length !== dims) {
      throw invalidArgument(`tile ${requested.join(",")} has ${requested.length} values; the model has ${dims} spatial dims`, {
        where: "--tile",
      });
    }
    checkInts(requested, 1, "tile size", "--tile");
  }
  if (model.tile && model.tile.length !== dims) {
    throw invalidModel(`metadata tile [${model.tile.join(", ")}] does not have ${dims} spatial dims`, { where: model.name });
  }
  const multiple = model.tileMultiple ?? DEFAULT_TILE_MULTIPLE;
  const tile = extent.map((len, i) => {
    const fixed = spatialIn[i] ?? null;
    if (fixed !== null) {
      if (requested && requested[i] !== fixed) {
        throw invalidArgument(`the model has a fixed input of ${spatialIn.join("x")}; a different tile is not possible`, {
          where: "--tile",
          allowed: spatialIn.join(","),
        });
      }
      return fixed;
    }
    if (requested) {
      const snapped = snapTileSize(requested[i]!, multiple);
      if (snapped !== requested[i]) notes.push(`tile size ${requested[i]} snapped to ${snapped} (a multiple of ${multiple})`);
      return snapped;
    }
    if (model.tile) return model.tile[i]!;
    return defaultDynamicTile(len, multiple);
  });
  checkTileSize(tile, requested ? "--tile" : model.name);
  return { tile, notes };
}

/** Throws when a tile (from the model's input, its metadata or `--tile`) is too big to allocate: a 2^31 input dim is refused here. */
function checkTileSize(tile: readonly number[], where: string): void {
  if (tileTooLarge(tile)) {
    throw invalidModel(`a tile of ${tile.join("×")} pixels is larger than any model input can be`, { where, allowed: TILE_LIMITS_TEXT });
  }
}

function resolveBorder(model: ModelFacts, options: PlanOptions, dims: number): number[] {
  const o = options.border;
  if (o !== undefined) {
    const values = typeof o === "number" ? Array.from({ length: dims }, () => o) : o;
    if (values.length !== dims) {
      throw invalidArgument(`border has ${values.length} values; the model has ${dims} spatial dims`, { where: "--border" });
    }
    checkInts(values, 0, "border", "--border");
    return [...values];
  }
  const b = model.border;
  checkInts(b, 0, "border", `${model.name}: border`);
  if (b.length === dims) return [...b];
  if (dims === 3 && b.length === 2) return [0, ...b];
  throw invalidModel(`border [${b.join(", ")}] does not have ${dims} values`, { where: model.name });
}

function checkBorderFits(tile: number[], border: number[], fromOption: boolean): void {
  tile.forEach((t, i) => {
    if (2 * border[i]! >= t) {
      throw invalidArgument(`border ${border[i]} per side is too large for a tile of ${t}`, {
        where: fromOption ? "--border" : "model border",
        allowed: `less than half the tile (< ${t / 2})`,
      });
    }
  });
}

/**
 * Tile, border and tile grid. Without session facts (`null`) it assumes the session fixes no
 * spatial dim: the tile the session will agree on unless its input has a fixed size.
 */
export function planGeometry(model: ModelFacts, input: InputPlan, options: PlanOptions, session: SessionFacts | null): TileGeometry {
  const { dims, extent } = input;
  const { tile, notes } = resolveTile(model, session?.spatialIn ?? [], options, extent, dims);
  const border = resolveBorder(model, options, dims);
  checkBorderFits(tile, border, options.border !== undefined);
  const { width, height } = input.planes;
  const grid =
    dims === 3
      ? planTiles3D(extent[0]!, height, width, tile as [number, number, number], border as [number, number, number])
      : planTiles2D(height, width, tile as [number, number], border as [number, number]);
  return { tile, border, grid, notes };
}

/** Pick the batch size: > 1 only for a dynamic batch dim. */
function planBatch(
  session: SessionFacts,
  requested: number | undefined,
  tiles: number,
  tile: readonly number[],
  notes: string[],
): BatchPlan {
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1)) {
    throw invalidArgument(`batch size ${requested} is not a positive integer`, { where: "--batch" });
  }
  if (!session.batchDynamic) {
    const fixed = session.fixedBatch ?? 1;
    if (requested !== undefined && requested !== fixed)
      notes.push(`the model's batch size is fixed to ${fixed}; --batch ${requested} ignored`);
    return { max: fixed, run: fixed, dynamic: false };
  }
  const max = Math.max(1, Math.min(requested ?? defaultBatchFor(tile), tiles));
  return { max, run: max, dynamic: true };
}

export interface PlanRequest {
  model: ModelFacts;
  image: ImageInfo;
  session: SessionFacts;
  options: PlanOptions;
  /** `planInput(model, image, options)` when already made. */
  input?: InputPlan;
  /** `planGeometry(model, input, options, session)` when already made. */
  geometry?: TileGeometry;
}

/** Check a tile block against the grid; returns the number of tiles it holds. */
function checkTileBlock(block: TileBlock, grid: TilePlan2D | TilePlan3D, stacks: number, blend: BlendMode): number {
  const where = "tiles";
  if (blend !== "none") throw unsupported("a block of tiles can only be run with crop-and-place stitching (blend none)", { where });
  if (!Number.isInteger(block.stack) || block.stack < 0 || block.stack >= stacks) {
    throw invalidArgument(`tile block stack ${block.stack} is out of range`, { where, allowed: `0..${stacks - 1}` });
  }
  const axes = [
    ["y", block.y, grid.ys.length],
    ["x", block.x, grid.xs.length],
  ] as const;
  for (const [axis, [first, end], n] of axes) {
    if (!Number.isInteger(first) || !Number.isInteger(end) || first < 0 || end > n || first >= end) {
      throw invalidArgument(`tile block ${axis} range [${first}, ${end}) is not inside the grid`, {
        where,
        allowed: `0 <= first < end <= ${n}`,
      });
    }
  }
  const nz = "zs" in grid ? grid.zs.length : 1;
  return nz * (block.y[1] - block.y[0]) * (block.x[1] - block.x[0]);
}

/** The whole plan of a prediction. Throws the error a prediction with these facts would report. */
export function planPrediction(request: PlanRequest): PredictionPlan {
  const { model, image, session, options } = request;
  const input = request.input ?? planInput(model, image, options);
  const geometry = request.geometry ?? planGeometry(model, input, options, session);
  const { tile, grid } = geometry;
  const tilesPerPlane = tileCount(grid);
  const block = options.tiles;
  const totalTiles = block
    ? checkTileBlock(block, grid, input.planes.stacks.length, input.blend)
    : tilesPerPlane * input.planes.stacks.length;
  const notes = [...input.mapping.notes, ...geometry.notes];
  if (grid.padded) notes.push("the image is smaller than the tile on some axis: padded by reflection (numpy 'reflect')");
  if (tilesPerPlane > 1 && model.imageStatistics?.length) {
    notes.push(`${imageStatisticsProblem(model.imageStatistics, tile)}: this image takes ${tilesPerPlane} tiles per plane`);
  }
  const batch = planBatch(session, options.batch, totalTiles, tile, notes);
  const { width, height, outSizes } = input.planes;
  const outPlanes = outSizes.scene * outSizes.t * outSizes.c * outSizes.z;
  return {
    model: { name: model.name, ...(model.id ? { id: model.id } : {}), kind: model.kind },
    session,
    ...input,
    ...geometry,
    tilesPerPlane,
    totalTiles,
    ...(block ? { tiles: { stack: block.stack, y: [...block.y], x: [...block.x] } as TileBlock } : {}),
    batch,
    megapixelsTotal: (width * height * outPlanes) / 1e6,
    notes,
  };
}
