/**
 * Public types of the prediction engine: the model description it runs (`EngineModel`, made
 * from a model file's metadata by an adapter outside the engine), the ONNX runtime it is
 * given (`OrtRuntime`: onnxruntime-node or onnxruntime-web, typed from onnxruntime-common),
 * the options of `predict`, its progress events and its result. Isomorphic; type-only
 * imports of onnxruntime-common.
 */
import type { InferenceSession } from "onnxruntime-common";
import type { ImageSink, OutputImageInfo } from "../io/types.js";
import type { ExtraSelection } from "../io/extra-dimensions.js";
import type { LabelingSummary } from "../objects/labeler.js";
import type { PredictObjectsOptions } from "../objects/predict-tee.js";
import type { ImageStatistic } from "../onnx/image-statistics.js";
import type { BlendMode } from "./tiling.js";

export type { OrtRuntime } from "../onnx/ort-types.js";
import type { OrtRuntime } from "../onnx/ort-types.js";

/** Creates the session for a model (e.g. one kept open by the browser page across runs). */
export type SessionFactory = (options: { threads?: number }) => Promise<InferenceSession>;

export interface EngineClass {
  name: string;
  /** [r, g, b] 0..255; default: czmodel's colour sequence (docs/formats.md#class-colours). */
  color?: [number, number, number];
  /** Label value of this class; default index + 1 (= legacy `LabelValue`). Must be >= 1 and unique. */
  value?: number;
}

/**
 * What the engine needs to know about a model. The engine never reads model files itself:
 * an adapter maps CZANN `model.json` / legacy XML onto this.
 *
 * CZANN: `tile = InputShape[0..-2]`, `border = MinOverlap / 2` (per axis, same order),
 * `inputChannels = InputShape[-1]`, `outputChannels = OutputShape[-1]`, `channelOrder = "bgr"`,
 * `scaleInputs = true`, classes from `Classes`.
 * Legacy: tile from the ONNX input dims (or `TotalTileHeight/Width`; `null` if dynamic),
 * `border = [BorderSize, BorderSize]`, channels from `PixelType` (Gray* 1, Bgr* 3, Bgra32 4),
 * `colorHandling` from `ColorHandling`, `scaleInputs = ScaleInputsByBitdepth === true`,
 * classes from `TrainingClasses` (name, colR/G/B, LabelValue).
 *
 * Why legacy models default to raw intensities: the czmodel-made
 * `simple_nuclei_segmodel_legacy.czseg` (no `ScaleInputsByBitdepth`) has its input shift in
 * raw uint16 units (−303.0 = −0.004624 × 65535, where the same network as CZANN has
 * −0.004624) and segments the nuclei image with IoU 0.77 on raw values but 0.0 when divided
 * by 65535 (test/engine/real-models.test.ts).
 */
export interface EngineModel {
  /** Display name (`ModelName`). */
  name: string;
  /** Model id (UUID) for provenance. */
  id?: string;
  /** `segmentation` (per-pixel class probabilities out) or `regression` (image out). */
  kind: "segmentation" | "regression";
  /** The ONNX model bytes (a session made elsewhere is passed as `PredictOptions.createSession`). */
  onnx: Uint8Array;
  /**
   * Spatial input size: `[h, w]` for NHWC models, `[z, h, w]` for NDHWC (rank-5) models;
   * `null` when the model's spatial dims are dynamic and its metadata names no size.
   */
  tile: [number, number] | [number, number, number] | null;
  /** Context per tile side, same axes as `tile` (`[by, bx]` or `[bz, by, bx]`). */
  border: [number, number] | [number, number, number];
  /** 3 for rank-5 models; default: `tile.length`, or 2 when `tile` is null. */
  spatialDims?: 2 | 3;
  /** Input channels (`InputShape[-1]`). */
  inputChannels: number;
  /** Output channels (`OutputShape[-1]`) if known; checked against the session. */
  outputChannels?: number;
  /** Segmentation classes, one per output channel. */
  classes?: EngineClass[];
  /** Colour order a 3/4-channel model expects; ZEN models: `bgr` (default). */
  channelOrder?: "bgr" | "rgb";
  /** Legacy `ColorHandling` (default `split-rgb`): `convert-to-monochrome` feeds grey to every colour channel. */
  colorHandling?: "convert-to-monochrome" | "split-rgb";
  /** Whether the model expects inputs scaled to [0, 1] by the pixel type's range (CZANN: true; legacy: only with `ScaleInputsByBitdepth` true). */
  scaleInputs: boolean;
  /** Dynamic spatial dims only: tile sizes are multiples of this (U-Net depth `2^d`; default 16). */
  tileMultiple?: number;
  /**
   * Nodes that compute statistics over the image (`findImageStatistics`): ZEN computes them per
   * tile, so `predict` notes it when an image takes more than one tile per plane.
   */
  imageStatistics?: ImageStatistic[];
}

type OutputSelection = "labels" | "probabilities" | "both";
export type ChannelOrderOption = "bgr" | "rgb" | "as-is";
export type RescaleOption = "auto" | "on" | "off";
/** `dtype`: 0..type max; `bitdepth`: 0..2^significantBits-1; or an explicit `[min, max]`. */
export type IntensityRange = "dtype" | "bitdepth" | readonly [number, number];

/**
 * Plane selection: indices per axis (0-based, in the input's terms; `c` counts channel groups).
 * `h`, `b`, `v`, `r`, `i` pick indices of those CZI dimensions, which are then looped like T
 * (see `io/extra-dimensions.ts`; an image without one has it at size 1).
 */
export interface PlaneFilter extends ExtraSelection {
  scene?: number[];
  t?: number[];
  c?: number[];
  z?: number[];
}

/**
 * A block of whole tiles of one stack of the whole-image tile grid: tile indices `[first, end)`
 * along Y and X (every Z tile of a 3-D stack). A prediction given one runs only these tiles,
 * with the geometry of the whole-image run (one work unit, `units.ts`).
 */
export interface TileBlock {
  stack: number;
  y: [number, number];
  x: [number, number];
}

/** Sinks for `output: "both"`. */
export interface SinkPair {
  labels: ImageSink;
  probabilities: ImageSink;
}

export interface PredictProgress {
  tilesDone: number;
  tilesTotal: number;
  /** Output pixels finished (all planes), in megapixels. */
  megapixelsDone: number;
  megapixelsTotal: number;
  elapsedMs: number;
  megapixelsPerSecond: number;
  /** Estimated time left, from the average time per tile so far (events come after each batch). */
  etaMs: number;
}

export interface PredictOptions {
  /** The ONNX runtime package to run with (also used for input tensors when `createSession` is given). */
  runtime: OrtRuntime;
  /**
   * Creates the session instead of `runtime.InferenceSession.create(model.onnx)`, e.g. one in a
   * worker thread or one kept open across runs. `predict` does not release a session made so:
   * its maker does. Errors it throws are reported as the model's (`INVALID_MODEL`) unless they
   * are czmodel errors already.
   */
  createSession?: SessionFactory;
  /** Segmentation: which outputs (default `labels`). Ignored for regression. */
  output?: OutputSelection;
  /** Segmentation labels: pixels whose best class probability is below this get `unclassifiedValue` 0. */
  minConfidence?: number;
  /** Border per side override: one number for all axes, or per axis like `EngineModel.border`. */
  border?: number | number[];
  /** Stitching: `none` = crop-and-place (ZEN, default); `linear` / `gaussian` = weighted blending of full tiles. */
  blend?: BlendMode;
  /** Tile override `[h, w]` (`[z, h, w]` for 3-D) for dynamic models; a fixed model only accepts its own size. */
  tile?: number[];
  /** Tiles per session run (dynamic batch dim: default up to 4, fewer for big tiles so one batch holds at most 1 MP; fixed batch dim: its size). */
  batch?: number;
  /** onnxruntime-node intra-op threads (`intraOpNumThreads`; passed to `createSession` as `threads`). onnxruntime-web uses `env.wasm.numThreads` instead. */
  threads?: number;
  /** Extra session options (execution providers, …) merged under the engine's own. */
  sessionOptions?: InferenceSession.SessionOptions;
  /** Run only this block of the whole-image tile grid (default every tile); its sinks get only those tiles' centres. */
  tiles?: TileBlock;
  /** Which planes to predict (default all). */
  planes?: PlaneFilter;
  /** Colour order fed to 3/4-channel models (default the model's, i.e. `bgr`). */
  channelOrder?: ChannelOrderOption;
  /** Input scaling: `auto` = as the model says (`scaleInputs`), `on`, `off`. */
  rescale?: RescaleOption;
  /** Range mapped to [0, 1] when scaling (default `dtype`). */
  intensityRange?: IntensityRange;
  /** Group C planes into the model's channels: `auto` (when C is a multiple of the model channels and the image is grey), `always`, `never`. */
  groupChannels?: "auto" | "always" | "never";
  signal?: AbortSignal;
  onProgress?: (event: PredictProgress) => void;
  /**
   * Label, measure and filter the objects of the label output in the same pass
   * (docs/objects.md): needs one label plane of the whole image; `confidence` needs output `both`.
   */
  objects?: PredictObjectsOptions;
}

export interface PredictResult {
  model: { name: string; id?: string; kind: EngineModel["kind"] };
  /** Tile actually used (`[h, w]` or `[z, h, w]`) and border per side. */
  tile: number[];
  border: number[];
  blend: BlendMode;
  batchSize: number;
  tilesPerPlane: number;
  tiles: number;
  batches: number;
  /** Output image descriptions, one per written sink. */
  outputs: OutputImageInfo[];
  /** How input samples were mapped to model channels, e.g. `rgb -> BGR`. */
  channelMapping: string;
  /** How intensities were scaled, e.g. `divide by 65535 (uint16 range)`. */
  inputScaling: string;
  /** Things the user should know (replicated grey, padding, guessed ranges …). */
  notes: string[];
  elapsedMs: number;
  megapixels: number;
  megapixelsPerSecond: number;
  /** With `objects`: the counts of the labelling pass. */
  objects?: LabelingSummary;
  /** Where the model ran, when the caller chose a device: `cpu`, `cuda`, `webgpu` (onnxruntime-node) or `wasm` (onnxruntime-web). */
  device?: string;
  /** Why a `device: "auto"` run fell back to the CPU. */
  deviceFallback?: string;
}
