/**
 * Collects rectangles of output planes into the fixed-size chunks that chunked formats store
 * (tiled OME-TIFF tiles, OME-Zarr chunks) and hands each chunk on as soon as it is complete.
 * Rectangles (`ImageSink.writeTile`) and full-width bands (`writeBand`, a rectangle of the
 * whole width) may come in any order, for any plane; every pixel must be written once.
 *
 * Memory: only the chunks a rectangle left incomplete are held, each `chunkWidth ×
 * chunkHeight × samplesPerPixel` samples plus the list of rectangles written into it (so an
 * overlapping write is caught before it corrupts a chunk), zero-padded past the image edge (TIFF tiles and Zarr
 * v2 chunks are always full size), reused once handed on. A writer that goes tile row by tile
 * row, left to right (the engine) leaves about one row of chunks pending across the width —
 * hence sinks pick smaller chunks for very wide multi-sample outputs (`autoChunkSize`).
 *
 * Also checks what it is given (plane in range, rectangle inside the plane, sample type and
 * count, nothing written twice) and, for `finish`, whether everything was written. Isomorphic.
 */
import { invalidArgument } from "../errors.js";
import { allocSamples, type PlaneIndex, type PlaneSizes, type Rect, type SampleArray, type SampleType } from "./types.js";

export interface ChunkLayout {
  width: number;
  height: number;
  samplesPerPixel: number;
  sampleType: SampleType;
  sizes: PlaneSizes;
  chunkWidth: number;
  chunkHeight: number;
}

export interface Chunk {
  plane: PlaneIndex;
  /** Position of `plane` in the canonical (scene, t, c, z) order. */
  planeOrdinal: number;
  /** Chunk column and row. */
  cx: number;
  cy: number;
  /** `chunkWidth × chunkHeight × samplesPerPixel` samples, row-major, interleaved, zero past the edge. */
  data: SampleArray;
}

/** A chunk written only in part (`ChunkGrid.takePending`): its buffer, the parts written and the chunk's in-image area. */
export interface PartialChunk extends Chunk {
  /** The rectangles written, as [x0, y0, x1, y1] in image pixels. */
  parts: number[];
  /** Pixels of the chunk inside the image. */
  area: number;
}

interface Pending {
  data: SampleArray;
  /** The parts written so far as [x0, y0, x1, y1] (a handful per chunk), to catch overlaps before they corrupt a chunk. */
  parts: number[];
  filled: number;
  area: number;
}

const WHERE = "ImageSink.writeTile";

/**
 * Chunk size for an output of `width` pixels of `samplesPerPixel × bytesPerSample` bytes: the
 * `preferred` size (512), halved down to 128 while one row of chunks across the width would
 * exceed `rowBudgetBytes` (32 MiB). E.g. 2-class float32 probabilities 32768 px wide use 128² chunks.
 */
export function autoChunkSize(width: number, pixelBytes: number, preferred = 512, rowBudgetBytes = 32 * 1024 * 1024): number {
  let size = preferred;
  while (size > 128 && width * size * pixelBytes > rowBudgetBytes) size /= 2;
  return size;
}

export class ChunkGrid {
  readonly across: number;
  readonly down: number;
  private readonly perPlane: number;
  private readonly planeCount: number;
  private readonly pending = new Map<number, Pending>();
  /** One flag per chunk of every plane: handed on. */
  private readonly done: Uint8Array;
  private emitted = 0;
  private readonly pool: SampleArray[] = [];
  private readonly arrayType: new (
    length: number,
  ) => SampleArray;
  private readonly chunkSamples: number;

  constructor(
    private readonly layout: ChunkLayout,
    private readonly onChunks: (chunks: Chunk[]) => Promise<void>,
  ) {
    const { sizes } = layout;
    this.across = Math.ceil(layout.width / layout.chunkWidth);
    this.down = Math.ceil(layout.height / layout.chunkHeight);
    this.perPlane = this.across * this.down;
    this.planeCount = sizes.scene * sizes.t * sizes.c * sizes.z;
    this.done = new Uint8Array(this.planeCount * this.perPlane);
    this.arrayType = allocSamples(layout.sampleType, 0).constructor as new (length: number) => SampleArray;
    this.chunkSamples = layout.chunkWidth * layout.chunkHeight * layout.samplesPerPixel;
  }

  /** True once every chunk of every plane has been handed on. */
  get complete(): boolean {
    return this.emitted === this.done.length;
  }

  /** Number of chunks held because they are not complete yet. */
  get pendingChunks(): number {
    return this.pending.size;
  }

  /** What is missing, for messages: the first chunk not handed on. */
  describeProgress(): string {
    const first = this.done.indexOf(0);
    if (first < 0) return "complete";
    const ordinal = Math.floor(first / this.perPlane);
    const p = this.planeAt(ordinal);
    const within = first % this.perPlane;
    const cx = within % this.across;
    const cy = Math.floor(within / this.across);
    const { chunkWidth: cw, chunkHeight: ch } = this.layout;
    return (
      `${this.done.length - this.emitted} of ${this.done.length} chunks, the first in plane ${ordinal + 1} of ${this.planeCount} ` +
      `(scene ${p.scene}, t ${p.t}, c ${p.c}, z ${p.z}) at x ${cx * cw}, y ${cy * ch}`
    );
  }

  private planeAt(ordinal: number): PlaneIndex {
    const { sizes } = this.layout;
    const z = ordinal % sizes.z;
    const c = Math.floor(ordinal / sizes.z) % sizes.c;
    const t = Math.floor(ordinal / (sizes.z * sizes.c)) % sizes.t;
    const scene = Math.floor(ordinal / (sizes.z * sizes.c * sizes.t));
    return { scene, t, c, z };
  }

  private ordinalOf(plane: PlaneIndex): number {
    const { sizes } = this.layout;
    const fields: [keyof PlaneIndex, number][] = [
      ["scene", sizes.scene],
      ["t", sizes.t],
      ["c", sizes.c],
      ["z", sizes.z],
    ];
    for (const [k, n] of fields) {
      const v = plane[k];
      if (!Number.isInteger(v) || v < 0 || v >= n) {
        throw invalidArgument(`plane ${k} ${v} is outside the output (${k} has ${n})`, { where: WHERE, allowed: `0 to ${n - 1}` });
      }
    }
    return ((plane.scene * sizes.t + plane.t) * sizes.c + plane.c) * sizes.z + plane.z;
  }

  /** Write a rectangle of one plane; hands on the chunks it completes. */
  async write(plane: PlaneIndex, rect: Rect, data: SampleArray): Promise<void> {
    const { width: W, height: H, samplesPerPixel: K, chunkWidth: cw, chunkHeight: ch } = this.layout;
    const ordinal = this.ordinalOf(plane);
    const { x, y, width: w, height: h } = rect;
    if (![x, y, w, h].every(Number.isInteger) || w < 1 || h < 1 || x < 0 || y < 0 || x + w > W || y + h > H) {
      throw invalidArgument(`rectangle ${w}x${h} at (${x}, ${y}) is not inside the ${W}x${H} output`, { where: WHERE });
    }
    if (!(data instanceof this.arrayType)) {
      throw invalidArgument(`samples are a ${data.constructor.name}, expected ${this.layout.sampleType}`, { where: WHERE });
    }
    if (data.length !== w * h * K)
      throw invalidArgument(`rectangle has ${data.length} samples, expected ${w} × ${h} × ${K}`, { where: WHERE });

    const ready: Chunk[] = [];
    const cy0 = Math.floor(y / ch);
    const cy1 = Math.floor((y + h - 1) / ch);
    const cx0 = Math.floor(x / cw);
    const cx1 = Math.floor((x + w - 1) / cw);
    for (let cy = cy0; cy <= cy1; cy++) {
      const ry0 = Math.max(y, cy * ch);
      const ry1 = Math.min(y + h, (cy + 1) * ch);
      for (let cx = cx0; cx <= cx1; cx++) {
        const rx0 = Math.max(x, cx * cw);
        const rx1 = Math.min(x + w, (cx + 1) * cw);
        const key = ordinal * this.perPlane + cy * this.across + cx;
        if (this.done[key]) throw this.overlap(rect, ordinal, cx, cy);
        let chunk = this.pending.get(key);
        if (!chunk) {
          const area = Math.min(cw, W - cx * cw) * Math.min(ch, H - cy * ch);
          chunk = { data: this.takeBuffer(area < cw * ch), parts: [], filled: 0, area };
          this.pending.set(key, chunk);
        }
        const parts = chunk.parts;
        for (let i = 0; i < parts.length; i += 4) {
          if (rx0 < parts[i + 2]! && parts[i]! < rx1 && ry0 < parts[i + 3]! && parts[i + 1]! < ry1)
            throw this.overlap(rect, ordinal, cx, cy);
        }
        parts.push(rx0, ry0, rx1, ry1);
        const n = (rx1 - rx0) * K;
        for (let ry = ry0; ry < ry1; ry++) {
          const src = ((ry - y) * w + (rx0 - x)) * K;
          chunk.data.set(data.subarray(src, src + n), ((ry - cy * ch) * cw + (rx0 - cx * cw)) * K);
        }
        chunk.filled += (rx1 - rx0) * (ry1 - ry0);
        if (chunk.filled === chunk.area) {
          this.pending.delete(key);
          this.done[key] = 1;
          this.emitted += 1;
          ready.push({ plane: this.planeAt(ordinal), planeOrdinal: ordinal, cx, cy, data: chunk.data });
        }
      }
    }
    if (ready.length === 0) return;
    try {
      await this.onChunks(ready);
    } finally {
      for (const c of ready) this.pool.push(c.data);
    }
  }

  /** Hand over the chunks written only in part (one work unit's share of chunks it shares with others) and forget them. */
  takePending(): PartialChunk[] {
    const out: PartialChunk[] = [];
    for (const [key, p] of this.pending) {
      const ordinal = Math.floor(key / this.perPlane);
      const within = key % this.perPlane;
      const chunk = { plane: this.planeAt(ordinal), planeOrdinal: ordinal, cx: within % this.across, cy: Math.floor(within / this.across) };
      out.push({ ...chunk, data: p.data, parts: p.parts, area: p.area });
    }
    this.pending.clear();
    return out;
  }

  /** A chunk buffer, pooled when possible; zeroed where padding must be zero (edge chunks). */
  private takeBuffer(edge: boolean): SampleArray {
    const b = this.pool.pop();
    if (!b) return allocSamples(this.layout.sampleType, this.chunkSamples);
    if (edge) b.fill(0);
    return b;
  }

  private overlap(rect: Rect, ordinal: number, cx: number, cy: number): Error {
    const p = this.planeAt(ordinal);
    return invalidArgument(
      `rectangle ${rect.width}x${rect.height} at (${rect.x}, ${rect.y}) of plane (scene ${p.scene}, t ${p.t}, c ${p.c}, z ${p.z}) ` +
        `overlaps pixels already written (chunk at x ${cx * this.layout.chunkWidth}, y ${cy * this.layout.chunkHeight})`,
      { where: WHERE },
    );
  }
}

/**
 * Sample `k` of every pixel of an interleaved chunk (`samplesPerPixel` samples per pixel), as a
 * one-sample chunk, into `into` when it has the right length. For planar outputs (one TIFF page
 * or Zarr channel per sample).
 */
export function chunkSample(data: SampleArray, samplesPerPixel: number, k: number, into?: SampleArray): SampleArray {
  const n = data.length / samplesPerPixel;
  const out = into && into.length === n ? into : new (data.constructor as new (length: number) => SampleArray)(n);
  for (let i = 0, s = k; i < n; i++, s += samplesPerPixel) out[i] = data[s]!;
  return out;
}

/** The bytes of a typed array (platform byte order, little-endian on every supported platform). */
export function sampleBytes(a: SampleArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
