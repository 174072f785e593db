/**
 * `MemoryImageSink`: collects the bands or tiles the engine writes into whole planes, and checks
 * the `ImageSink` contract (begin first; bands top to bottom without gaps, planes in order; tiles
 * inside the plane, never overlapping; every pixel written before `finish`), failing loudly when
 * it is broken, so tests of the engine also test the contract. Isomorphic.
 */
import { internalError } from "../../errors.js";
import {
  allocSamples,
  planeCount,
  planeIndices,
  type ImageSink,
  type OutputImageInfo,
  type PlaneIndex,
  type Rect,
  type SampleArray,
} from "../types.js";
import type { ReleasesBands } from "../reuse.js";
import { checkPlane, planeOffset, sampleTypeOf } from "./planes.js";

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
    const covered = this.covered[p] ?? new Uint8Array(info.width * info.height);
    this.covered[p] = covered;
    const dst = this.planes[p]!;
    for (let r = 0; r < h; r++) {
      const row = (y + r) * info.width + x;
      if (covered.subarray(row, row + w).some((v) => v !== 0))
        throw internalError(`tile ${JSON.stringify(rect)} overlaps pixels already written (row ${y + r})`);
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
