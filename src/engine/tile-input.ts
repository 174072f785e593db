/**
 * Reads the pixels of one tile from an `ImageSource` and writes them into the model's input
 * buffer. Only the part of the tile's ROI inside the image is read (one region read per
 * input plane); ROI pixels outside the image (image smaller than the tile) are filled by
 * numpy-`reflect` index mapping, in Z as well for 3-D models.
 *
 * Sources that can read into a caller's buffer (`readRegionInto`, e.g. TIFF) get windows from
 * a small pool that is reused tile after tile, so a long run allocates no sample memory per
 * tile; the conversion to float32 uses the SIMD kernels where available (`simd.ts`).
 */
import { invalidImage } from "../errors.js";
import { readsRegionsInto } from "../io/reuse.js";
import { allocSamples, type ImageSource, type SampleArray } from "../io/types.js";
import type { TileJob } from "./assembler.js";
import { fillTile, type ChannelMapping, type Scaling, type TileSamples } from "./pixels.js";
import type { Stack } from "./planes.js";
import { simdKernels } from "./simd.js";
import { roiIndexMap, roiReadWindow, type TilePlan2D, type TilePlan3D } from "./tiling.js";

const SINGLE_Z = new Int32Array([0]);

/** The whole buffer behind a window (windows are views of the start of a pooled buffer). */
function wholeView(a: SampleArray): SampleArray {
  return new (a.constructor as new (buffer: ArrayBufferLike) => SampleArray)(a.buffer);
}

export class TileInputReader {
  /** Free read windows, each large enough for a whole ROI of one plane. */
  private readonly pool: SampleArray[] = [];
  private readonly windowSamples: number;
  private readonly mapCache = new Map<string, Int32Array>();
  private readonly simd = simdKernels();
  private prefetched: { job: TileJob; promise: Promise<TileSamples> } | null = null;

  constructor(
    private readonly source: ImageSource,
    private readonly plan: TilePlan2D | TilePlan3D,
    private readonly stacks: Stack[],
    private readonly mapping: ChannelMapping,
    private readonly scaling: Scaling,
  ) {
    this.windowSamples = plan.tileHeight * plan.tileWidth * source.info.samplesPerPixel;
  }

  /** Start reading tile `job` now; the next `readInto` of the same job takes the result. */
  prefetch(job: TileJob): void {
    const promise = this.read(job);
    promise.catch(() => undefined); // reported by the readInto that takes it (or dropped when never taken)
    this.prefetched = { job, promise };
  }

  /** Read tile `job` and write it, converted, into `out` at `offset` (NHWC / NDHWC float32). */
  async readInto(job: TileJob, out: Float32Array, offset: number): Promise<void> {
    const early = this.prefetched;
    const same =
      early !== null && early.job.stack === job.stack && early.job.zi === job.zi && early.job.yi === job.yi && early.job.xi === job.xi;
    if (same) this.prefetched = null;
    const samples = await (same ? early.promise : this.read(job));
    try {
      fillTile(out, offset, samples, this.mapping, this.scaling, this.simd);
    } finally {
      if (readsRegionsInto(this.source)) for (const planes of samples.windows) for (const w of planes) this.pool.push(wholeView(w));
    }
  }

  /** The index map of one ROI axis (the same few maps recur tile after tile). */
  private indexMap(axis: string, t: { start: number; end: number; left: number; right: number }, n: number, offset: number): Int32Array {
    const key = `${axis}:${t.start}:${t.end}:${t.left}:${t.right}:${offset}`;
    let map = this.mapCache.get(key);
    if (!map) {
      map = roiIndexMap(t, n, offset);
      if (this.mapCache.size > 4096) this.mapCache.clear();
      this.mapCache.set(key, map);
    }
    return map;
  }

  /** Read the sample windows a tile needs. */
  async read(job: TileJob): Promise<TileSamples> {
    const { plan, source } = this;
    const stack = this.stacks[job.stack]!;
    const yt = plan.ys[job.yi]!;
    const xt = plan.xs[job.xi]!;
    const yw = roiReadWindow(yt, plan.height);
    const xw = roiReadWindow(xt, plan.width);
    const rect = { x: xw.start, y: yw.start, width: xw.end - xw.start, height: yw.end - yw.start };
    const spp = source.info.samplesPerPixel;
    const expected = rect.width * rect.height * spp;

    let zPlanes: number[];
    let zMap: Int32Array;
    if ("zs" in plan) {
      const zt = plan.zs[job.zi]!;
      const zw = roiReadWindow(zt, plan.depth);
      zPlanes = Array.from({ length: zw.end - zw.start }, (_, i) => zw.start + i);
      zMap = roiIndexMap(zt, plan.depth, zw.start);
    } else {
      zPlanes = [0];
      zMap = SINGLE_Z;
    }
    const into = readsRegionsInto(source) ? source : null;
    const windows: SampleArray[][] = await Promise.all(
      zPlanes.map((z) =>
        Promise.all(
          stack.inputs[z]!.map(async (plane) => {
            let data: SampleArray;
            if (into) {
              const window = this.pool.pop() ?? allocSamples(source.info.sampleType, this.windowSamples);
              try {
                data = await into.readRegionInto(
                  plane,
                  rect,
                  window.length >= expected ? window : allocSamples(source.info.sampleType, expected),
                );
              } catch (e) {
                this.pool.push(window);
                throw e;
              }
            } else {
              data = await source.readRegion(plane, rect);
            }
            if (data.length !== expected) {
              throw invalidImage(
                `reading ${rect.width}x${rect.height} at (${rect.x}, ${rect.y}) returned ${data.length} samples; expected ${expected}`,
                { where: source.info.format },
              );
            }
            return data;
          }),
        ),
      ),
    );
    return {
      windows,
      readWidth: rect.width,
      samplesPerPixel: spp,
      zMap,
      rowMap: this.indexMap("y", yt, plan.height, yw.start),
      colMap: this.indexMap("x", xt, plan.width, xw.start),
    };
  }
}
