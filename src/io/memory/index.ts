/**
 * In-memory images: `MemoryImageSource` (planes held as typed arrays) and `MemoryImageSink`
 * (collects the bands or tiles the engine writes into whole planes). Used by tests and by the
 * browser page, which decodes into memory anyway. The sink checks the `ImageSink` contract
 * (begin first; bands top to bottom without gaps, planes in order; tiles inside the plane,
 * never overlapping; every pixel written before `finish`) and fails loudly when it is broken,
 * so tests of the engine also test the contract. Isomorphic.
 */
import { internalError, invalidArgument } from "../../errors.js";
import {
  allocSamples,
  planeCount,
  planeIndices,
  type ImageInfo,
  type ImageSink,
  type ImageSource,
  type OutputImageInfo,
  type PlaneIndex,
  type PlaneSizes,
  type Rect,
  type SampleArray,
  type SampleOrder,
  type SampleType,
} from "../types.js";
import type { ReleasesBands } from "../reuse.js";

/** The `SampleType` of a typed array. */
export function sampleTypeOf(data: SampleArray): SampleType {
  if (data instanceof Uint8Array) return "uint8";
  if (data instanceof Int8Array) return "int8";
  if (data instanceof Uint16Array) return "uint16";
  if (data instanceof Int16Array) return "int16";
  if (data instanceof Uint32Array) return "uint32";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Float32Array) return "float32";
  return "float64";
}

const DEFAULT_ORDER: Record<number, SampleOrder> = { 1: "gray", 2: "gray-alpha", 3: "rgb", 4: "rgba" };

/** Position of a plane in canonical (scene, t, c, z) order. */
export function planeOffset(sizes: PlaneSizes, p: PlaneIndex): number {
  return ((p.scene * sizes.t + p.t) * sizes.c + p.c) * sizes.z + p.z;
}

function checkPlane(sizes: PlaneSizes, p: PlaneIndex, where: string): void {
  for (const axis of ["scene", "t", "c", "z"] as const) {
    const v = p[axis];
    if (!Number.isInteger(v) || v < 0 || v >= sizes[axis]) {
      throw invalidArgument(`plane index ${axis}=${v} is out of range`, { where, allowed: `0..${sizes[axis] - 1}` });
    }
  }
}

export interface MemoryImageOptions {
  width: number;
  height: number;
  /** Planes in canonical (scene, t, c, z) order; each `width * height * samplesPerPixel` samples. */
  planes: SampleArray[];
  sizes?: Partial<PlaneSizes>;
  samplesPerPixel?: number;
  sampleOrder?: SampleOrder;
  significantBits?: number;
  format?: string;
  channelNames?: string[];
}

/** An image whose planes are already decoded in memory (all scenes the same size). */
export class MemoryImageSource implements ImageSource {
  readonly info: ImageInfo;
  private readonly planes: SampleArray[];

  constructor(opts: MemoryImageOptions) {
    const sizes: PlaneSizes = { scene: 1, t: 1, c: 1, z: 1, ...opts.sizes };
    const spp = opts.samplesPerPixel ?? 1;
    const first = opts.planes[0];
    if (!first) throw invalidArgument("a memory image needs at least one plane");
    if (opts.planes.length !== planeCount(sizes)) {
      throw invalidArgument(`memory image has ${opts.planes.length} planes but its sizes need ${planeCount(sizes)}`);
    }
    const type = sampleTypeOf(first);
    for (const p of opts.planes) {
      if (p.length !== opts.width * opts.height * spp || sampleTypeOf(p) !== type) {
        throw invalidArgument(
          `memory image plane has ${p.length} ${sampleTypeOf(p)} samples; expected ${opts.width * opts.height * spp} ${type}`,
        );
      }
    }
    const order = opts.sampleOrder ?? DEFAULT_ORDER[spp];
    if (!order) throw invalidArgument(`memory image: no default sample order for ${spp} samples per pixel`);
    this.planes = opts.planes;
    this.info = {
      format: opts.format ?? "memory",
      width: opts.width,
      height: opts.height,
      scenes: Array.from({ length: sizes.scene }, () => ({ width: opts.width, height: opts.height })),
      sizes,
      samplesPerPixel: spp,
      sampleOrder: order,
      sampleType: type,
      ...(opts.significantBits !== undefined ? { significantBits: opts.significantBits } : {}),
      ...(opts.channelNames ? { channelNames: opts.channelNames } : {}),
    };
  }

  async readRegion(plane: PlaneIndex, rect: Rect): Promise<SampleArray> {
    const { width, height, samplesPerPixel: spp, sampleType } = this.info;
    checkPlane(this.info.sizes, plane, "readRegion");
    if (
      !Number.isInteger(rect.x) || !Number.isInteger(rect.y) || rect.x < 0 || rect.y < 0 ||
      rect.width < 1 || rect.height < 1 || rect.x + rect.width > width || rect.y + rect.height > height
    ) {
      throw internalError(`readRegion rectangle ${JSON.stringify(rect)} is outside the ${width}x${height} plane`);
    }
    const src = this.planes[planeOffset(this.info.sizes, plane)]!;
    const out = allocSamples(sampleType, rect.width * rect.height * spp);
    const rowLen = rect.width * spp;
    for (let r = 0; r < rect.height; r++) {
      const from = ((rect.y + r) * width + rect.x) * spp;
      out.set(src.subarray(from, from + rowLen) as never, r * rowLen);
    }
    return out;
  }

  async close(): Promise<void> {}
}

export interface MemoryImageSinkOptions {
  /** Offer `writeTile` (default true); false makes a band-only sink, as a PNG sink is. */
  tiles?: boolean;
}

/** Collects an engine's output in memory; `plane(p)` gives a finished plane. */
export class MemoryImageSink implements ImageSink, ReleasesBands {
  /** Bands are copied or encoded before `writeBand` resolves (`ReleasesBands`). */
  readonly releasesBands = true as const;
  info: OutputImageInfo | undefined;
  finished = false;
  aborted = false;
  /** Bands received, for tests: `[planeOffset, y, rows]`. */
  readonly bands: [number, number, number][] = [];
  /** Tiles received, for tests: `[planeOffset, x, y, width, height]`. */
  readonly tiles: [number, number, number, number, number][] = [];
  readonly writeTile?: (plane: PlaneIndex, rect: Rect, data: SampleArray) => Promise<void>;
  private planes: SampleArray[] = [];
  /** Per plane: one flag per pixel written (tiles), to catch overlaps and gaps. */
  private covered: Uint8Array[] = [];
  private nextPlane = 0;
  private nextRow = 0;

  constructor(options: MemoryImageSinkOptions = {}) {
    if (options.tiles !== false) this.writeTile = (plane, rect, data) => this.placeTile(plane, rect, data);
  }

  async begin(info: OutputImageInfo): Promise<void> {
    if (this.info) throw internalError("MemoryImageSink.begin called twice");
    this.info = info;
    const n = planeCount(info.sizes);
    this.planes = Array.from({ length: n }, () => allocSamples(info.sampleType, info.width * info.height * info.samplesPerPixel));
  }

  private async placeTile(plane: PlaneIndex, rect: Rect, data: SampleArray): Promise<void> {
    const info = this.info;
    if (!info) throw internalError("writeTile before begin");
    if (this.finished || this.aborted) throw internalError("writeTile after finish/abort");
    if (this.bands.length > 0) throw internalError("writeTile after writeBand: this sink takes one or the other");
    checkPlane(info.sizes, plane, "writeTile");
    const { x, y, width: w, height: h } = rect;
    if (![x, y, w, h].every(Number.isInteger) || w < 1 || h < 1 || x < 0 || y < 0 || x + w > info.width || y + h > info.height) {
      throw internalError(`tile ${JSON.stringify(rect)} is outside the ${info.width}x${info.height} plane`);
    }
    const K = info.samplesPerPixel;
    if (data.length !== w * h * K) throw internalError(`tile has ${data.length} samples, expected ${w * h * K}`);
    if (sampleTypeOf(data) !== info.sampleType) throw internalError(`tile is ${sampleTypeOf(data)}, sink expects ${info.sampleType}`);
    const p = planeOffset(info.sizes, plane);
    const covered = (this.covered[p] ??= new Uint8Array(info.width * info.height));
    const dst = this.planes[p]!;
    for (let r = 0; r < h; r++) {
      const row = (y + r) * info.width + x;
      if (covered.subarray(row, row + w).some((v) => v !== 0)) throw internalError(`tile ${JSON.stringify(rect)} overlaps pixels already written (row ${y + r})`);
      covered.fill(1, row, row + w);
      dst.set(data.subarray(r * w * K, (r + 1) * w * K) as never, row * K);
    }
    this.tiles.push([p, x, y, w, h]);
  }

  async writeBand(plane: PlaneIndex, y: number, rows: number, data: SampleArray): Promise<void> {
    const info = this.info;
    if (!info) throw internalError("writeBand before begin");
    if (this.finished || this.aborted) throw internalError("writeBand after finish/abort");
    if (this.tiles.length > 0) throw internalError("writeBand after writeTile: this sink takes one or the other");
    checkPlane(info.sizes, plane, "writeBand");
    const p = planeOffset(info.sizes, plane);
    if (p !== this.nextPlane || y !== this.nextRow) {
      throw internalError(`band out of order: plane #${p} rows ${y}+${rows}; expected plane #${this.nextPlane} row ${this.nextRow}`);
    }
    const len = rows * info.width * info.samplesPerPixel;
    if (rows < 1 || y + rows > info.height || data.length !== len) {
      throw internalError(`bad band: rows ${y}+${rows} of ${info.height}, ${data.length} samples (expected ${len})`);
    }
    if (sampleTypeOf(data) !== info.sampleType) throw internalError(`band is ${sampleTypeOf(data)}, sink expects ${info.sampleType}`);
    this.planes[p]!.set(data as never, y * info.width * info.samplesPerPixel);
    this.bands.push([p, y, rows]);
    this.nextRow = y + rows;
    if (this.nextRow === info.height) {
      this.nextPlane++;
      this.nextRow = 0;
    }
  }

  async finish(): Promise<void> {
    if (!this.info) throw internalError("finish before begin");
    if (this.tiles.length > 0) {
      const gap = this.planes.findIndex((_, p) => !this.covered[p] || this.covered[p]!.includes(0));
      if (gap >= 0) throw internalError(`finish with pixels of plane #${gap} never written`);
    } else if (this.nextPlane !== this.planes.length) {
      throw internalError(`finish after ${this.nextPlane} of ${this.planes.length} planes`);
    }
    this.covered = [];
    this.finished = true;
  }

  async abort(): Promise<void> {
    this.aborted = true;
    this.planes = [];
  }

  /** A whole output plane (after `finish`). */
  plane(p: Partial<PlaneIndex> = {}): SampleArray {
    if (!this.info || !this.finished) throw internalError("the sink has no finished output");
    const idx = { scene: 0, t: 0, c: 0, z: 0, ...p };
    checkPlane(this.info.sizes, idx, "plane");
    return this.planes[planeOffset(this.info.sizes, idx)]!;
  }

  /** All planes in canonical order. */
  allPlanes(): { index: PlaneIndex; data: SampleArray }[] {
    if (!this.info || !this.finished) throw internalError("the sink has no finished output");
    const info = this.info;
    return [...planeIndices(info.sizes)].map((index) => ({ index, data: this.planes[planeOffset(info.sizes, index)]! }));
  }
}
