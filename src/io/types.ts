/**
 * The contract between image formats and the prediction engine: `ImageSource` (lazy, region
 * reads of 2-D planes) and `ImageSink` (full-width row bands written in order, or — for
 * chunked formats — rectangles in any order; committed at the end). Every format under `src/io/<format>/` implements one or both; the engine and the
 * browser page only see these interfaces. Isomorphic: no `node:*` imports.
 *
 * Dimensions: an image is a set of 2-D planes indexed by `PlaneIndex` (scene, t, c, z);
 * each plane is `height × width` pixels of `samplesPerPixel` interleaved samples (1 = grey,
 * 3 = RGB/BGR, 4 = RGBA/BGRA). Channels stored as separate planes (fluorescence C) are the
 * `c` axis; colour samples inside one pixel are `samplesPerPixel`.
 */

export type SampleType = "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "float32" | "float64";

export type SampleArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** Order of the interleaved samples of one pixel. `gray` for 1 sample, `gray-alpha` for 2. */
export type SampleOrder = "gray" | "gray-alpha" | "rgb" | "rgba" | "bgr" | "bgra";

/** Position of one 2-D plane in the non-spatial axes; every index is 0-based. */
export interface PlaneIndex {
  scene: number;
  t: number;
  c: number;
  z: number;
}

/** Number of planes along each non-spatial axis (each >= 1). */
export interface PlaneSizes {
  scene: number;
  t: number;
  c: number;
  z: number;
}

/** A CZI dimension other than S/T/C/Z/M that can be looped as planes (`--plane h=…`), by its letter in lower case. */
export type ExtraDimension = "h" | "b" | "v" | "r" | "i";

/** One extra dimension a reader folds into T (see `io/extra-dimensions.ts`). */
export interface FoldedDimension {
  name: ExtraDimension;
  size: number;
}

/** How an output's T axis holds an extra dimension: t = T·indices.length + k, k the position in `indices`. */
export interface TModulo {
  dimension: ExtraDimension;
  /** The input indices of the dimension, in output order. */
  indices: number[];
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A display colour as [r, g, b], each 0..255. */
export type RgbColor = [number, number, number];

/** Physical pixel size in metres (any may be missing). */
export interface PhysicalSize {
  x?: number;
  y?: number;
  z?: number;
}

interface SceneInfo {
  width: number;
  height: number;
  name?: string;
  /** Position of the scene's top-left pixel in the file's global pixel coordinates, when known (CZI). */
  origin?: { x: number; y: number };
}

export interface ImageInfo {
  /** Format name, e.g. `png`, `tiff`, `ome-tiff`, `ome-zarr`, `czi`. */
  format: string;
  /** Size of scene 0 (the usual case: one scene). */
  width: number;
  height: number;
  /** One entry per scene; `scenes[0]` has `width`/`height` above. */
  scenes: SceneInfo[];
  sizes: PlaneSizes;
  samplesPerPixel: number;
  sampleOrder: SampleOrder;
  sampleType: SampleType;
  /** Significant bits per sample when the file says so (e.g. 12 or 14 for a 16-bit camera image). */
  significantBits?: number;
  channelNames?: string[];
  /** Display colour of each C plane as [r, g, b] (0..255), null where the file gives none; absent when it gives none at all. */
  channelColors?: (RgbColor | null)[];
  physicalSize?: PhysicalSize;
  /**
   * Extra dimensions folded into `sizes.t` (only when the reader was asked to loop them):
   * t = (…(T·n₁ + d₁)·n₂ + d₂)…, the last one fastest.
   */
  foldedIntoT?: FoldedDimension[];
  /**
   * The model classes a czmodel label output records (value, name, colour), in the model's
   * order: the first is the model's first class, by ZEN's convention the background. Absent
   * for images that record none (see `io/label-classes.ts`).
   */
  labelClasses?: OutputClass[];
  /** Extra facts for `image-info` (compression, pyramid levels, tile size …). */
  details?: Record<string, unknown>;
}

export interface ImageSource {
  readonly info: ImageInfo;
  /**
   * Read a rectangle of one plane at full resolution. Returns `rect.width * rect.height *
   * samplesPerPixel` samples of `info.sampleType`, row-major, samples interleaved in
   * `info.sampleOrder`. The rectangle must lie inside the plane (the engine pads itself).
   * Implementations decode only the parts of the file that touch the rectangle.
   */
  readRegion(plane: PlaneIndex, rect: Rect): Promise<SampleArray>;
  close(): Promise<void>;
}

/** One class of a segmentation result, written into the output's metadata. */
export interface OutputClass {
  /** Pixel value in the label image (1-based, = legacy `LabelValue`). */
  value: number;
  name: string;
  /** Display colour as [r, g, b], 0..255. */
  color: [number, number, number];
}

export interface OutputImageInfo {
  width: number;
  height: number;
  /** Planes of the output: the input's planes that were predicted. */
  sizes: PlaneSizes;
  /** The extra dimension folded into `sizes.t`, when one is kept with several indices. */
  tModulo?: TModulo;
  /** Samples per output pixel: 1 for labels, K for probabilities, C_out for regression. */
  samplesPerPixel: number;
  sampleType: "uint8" | "uint16" | "uint32" | "float32";
  /** What the samples mean, for metadata: a model's `labels`, `probabilities`, `regression`, or a converted `image`. */
  kind: "labels" | "probabilities" | "regression" | "image";
  /** Names of the output samples (class names for probabilities, `ch0…` for regression, `R`, `G`, `B` for a colour image). */
  channelNames?: string[];
  /** Names of the output's C planes: the input channels they were predicted from (e.g. `DAPI`). */
  planeNames?: string[];
  /** Display colours of the output's C planes (a converted image keeps the input's), null where unknown. */
  planeColors?: (RgbColor | null)[];
  classes?: OutputClass[];
  /** Value written where no class is confident enough (`--min-confidence`). */
  unclassifiedValue?: number;
  physicalSize?: PhysicalSize;
  /** Free-form provenance (model name, id, tool version) stored where the format allows. */
  description?: Record<string, unknown>;
}

export interface ImageSink {
  /** Called once before any band. */
  begin(info: OutputImageInfo): Promise<void>;
  /**
   * Write rows `[y, y + rows)` of one plane, full width, `rows * width * samplesPerPixel`
   * samples. For each plane, bands arrive top to bottom without gaps or overlap; planes
   * arrive one after another in (scene, t, c, z) order. A sink may flush and forget a band
   * as soon as it has it (bounded memory).
   */
  writeBand(plane: PlaneIndex, y: number, rows: number, data: SampleArray): Promise<void>;
  /**
   * Optional, for sinks that store the image in chunks (tiled OME-TIFF, OME-Zarr): write a
   * rectangle of one plane, `rect.width * rect.height * samplesPerPixel` samples, row-major.
   * Rectangles may arrive in any order, for any plane, and may be mixed with `writeBand`;
   * together they must cover every plane exactly once (no overlap). The sink is done with
   * `data` once the promise resolves; it keeps only the chunks a rectangle left incomplete,
   * so a writer that goes tile by tile needs no full-width bands (memory independent of the
   * image width). Calls must not overlap: await each before the next.
   */
  writeTile?(plane: PlaneIndex, rect: Rect, data: SampleArray): Promise<void>;
  /** All bands written: finish the file and make it visible (rename the temp file). */
  finish(): Promise<void>;
  /** Give up: remove anything written so far. Safe to call after a failure anywhere. */
  abort(): Promise<void>;
}

/** Whether `sink` takes rectangles (`writeTile`) as well as bands. */
export function writesTiles(sink: ImageSink): sink is ImageSink & Required<Pick<ImageSink, "writeTile">> {
  return typeof sink.writeTile === "function";
}

/** Iterate plane indices in the canonical order (scene, t, c, z). */
export function* planeIndices(sizes: PlaneSizes): Generator<PlaneIndex> {
  for (let scene = 0; scene < sizes.scene; scene++)
    for (let t = 0; t < sizes.t; t++) for (let c = 0; c < sizes.c; c++) for (let z = 0; z < sizes.z; z++) yield { scene, t, c, z };
}

export function planeCount(sizes: PlaneSizes): number {
  return sizes.scene * sizes.t * sizes.c * sizes.z;
}

/** Allocate a typed array of `length` samples of `type`. */
export function allocSamples(type: SampleType, length: number): SampleArray {
  switch (type) {
    case "uint8":
      return new Uint8Array(length);
    case "int8":
      return new Int8Array(length);
    case "uint16":
      return new Uint16Array(length);
    case "int16":
      return new Int16Array(length);
    case "uint32":
      return new Uint32Array(length);
    case "int32":
      return new Int32Array(length);
    case "float32":
      return new Float32Array(length);
    case "float64":
      return new Float64Array(length);
  }
}

export function bytesPerSample(type: SampleType): number {
  switch (type) {
    case "uint8":
    case "int8":
      return 1;
    case "uint16":
    case "int16":
      return 2;
    case "uint32":
    case "int32":
    case "float32":
      return 4;
    case "float64":
      return 8;
  }
}
