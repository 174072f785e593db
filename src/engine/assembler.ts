/**
 * Stitching: turns tile outputs into what the sinks take — rectangles (`writeTile`) for
 * chunked sinks, else full-width bands in order.
 *
 * - `CropAssembler` (ZEN crop-and-place): each tile contributes only its centre.
 *   - When every sink takes rectangles (tiled OME-TIFF, OME-Zarr, memory), each tile's centre
 *     is converted and written as one rectangle per output plane right away (memory: the
 *     tiles in the write queue, buffers reused; nothing scales with the image width here).
 *   - Else, for 2-D models the unit is one tile row: its centres form the band `[y0, y1)`,
 *     written as soon as the row's last tile is placed (memory: about one band per open row;
 *     once a sink that `releasesBands` has written a band, its buffer is reused for a later
 *     one). For 3-D models the unit is one Z tile: its centres fill whole planes `[z0, z1)`
 *     (memory: that many output planes), written plane by plane when the slab is complete,
 *     since a band sink takes planes in order.
 * - `BlendAssembler` (2-D only): every tile contributes its whole ROI with weights
 *   (`blendWeights1D`) into sparse 64² accumulator blocks. A pixel is final once the last
 *   tile covering it is placed: after tile (r, c), rows from tile row r's ROI start to tile row
 *   r + 1's and columns likewise. Final pixels are normalised (`sum(w·p) / sum(w)`), converted
 *   and written — per tile as a rectangle when every sink takes rectangles, else per tile row
 *   as a band — and blocks are freed once wholly final. Memory: the blocks not yet final,
 *   about the overlap of two tile rows across the width (`K + 1` floats per pixel).
 *
 * Tiles must be placed in plan order (stack, Z tile, tile row, tile column).
 */
import { internalError } from "../errors.js";
import { writesTiles, type PlaneIndex, type Rect, type SampleArray } from "../io/types.js";
import { releasesBands } from "../io/reuse.js";
import { allocOutput, convertBox, type ConvertSpec, type OutputTarget, type PixelBox } from "./outputs.js";
import { simdKernels } from "./simd.js";
import type { Stack } from "./planes.js";
import { type BlendMode, blendWeights1D, roiStart, type Tile1D, type TilePlan2D, type TilePlan3D } from "./tiling.js";

export interface TileJob {
  /** Index into the stack list. */
  stack: number;
  zi: number;
  yi: number;
  xi: number;
}

export interface OutputWrite {
  target: OutputTarget;
  plane: PlaneIndex;
  /** The pixels `data` holds: a full-width band (`band`, for `writeBand`) or any rectangle (`writeTile`). */
  rect: Rect;
  band: boolean;
  data: SampleArray;
  /** Call once the sink's write has resolved: `data` may then be reused. */
  written?: () => void;
}

/** Hand one `OutputWrite` to its sink. */
export async function writeOutput(w: OutputWrite): Promise<void> {
  const sink = w.target.sink;
  if (w.band) await sink.writeBand(w.plane, w.rect.y, w.rect.height, w.data);
  else if (writesTiles(sink)) await sink.writeTile(w.plane, w.rect, w.data);
  else throw internalError("a tile write for a sink that takes only bands");
  w.written?.();
}

export interface Assembler {
  /**
   * Place the tile at position `index` of a batch output; returns the writes it completed.
   * `labels` (one per pixel, computed by the session) replace `out` when the only target is
   * a label image (`CropAssembler` only).
   */
  place(job: TileJob, out: Float32Array, index: number, labels?: Uint8Array | Uint16Array): OutputWrite[];
}

/** Tile spatial dims `[d, h, w]` (d = 1 for 2-D plans). */
function tileDims(plan: TilePlan2D | TilePlan3D): [number, number, number] {
  return ["zs" in plan ? plan.tileDepth : 1, plan.tileHeight, plan.tileWidth];
}

const SINGLE_Z: Tile1D[] = [{ start: 0, end: 1, left: 0, right: 0 }];

/** Copy a `nz × ny × nx` box of one-sample pixels (ready labels) from `src`'s layout into `dst`. */
function copyBox(data: Uint8Array | Uint16Array, src: PixelBox, dst: PixelBox, nz: number, ny: number, nx: number): void {
  const d = dst.data;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const sp = src.offset + z * src.strideZ + y * src.strideY;
      d.set(data.subarray(sp, sp + nx), dst.offset + z * dst.strideZ + y * dst.strideY);
    }
  }
}

interface Unit {
  remaining: number;
  /** Per target: the unit's samples (a view of the start of `whole`). */
  buffers: SampleArray[];
  whole: SampleArray[];
}

export class CropAssembler implements Assembler {
  private readonly units = new Map<string, Unit>();
  private readonly dims: [number, number, number];
  private readonly zs: Tile1D[];
  private readonly threeD: boolean;
  /** Per target: band buffers whose writes are done, for reuse; null when the sink keeps its bands. */
  private readonly pools: (SampleArray[] | null)[];
  /** Every sink takes rectangles: write each tile's centre as it comes. */
  private readonly tileMode: boolean;
  private readonly simd = simdKernels();

  constructor(
    private readonly targets: OutputTarget[],
    private readonly specs: ConvertSpec[],
    private readonly plan: TilePlan2D | TilePlan3D,
    private readonly stacks: Stack[],
  ) {
    this.dims = tileDims(plan);
    this.threeD = "zs" in plan;
    this.zs = "zs" in plan ? plan.zs : SINGLE_Z;
    this.tileMode = targets.every((t) => writesTiles(t.sink));
    // A sink that takes rectangles is done with them when the write resolves (`ImageSink.writeTile`).
    this.pools = targets.map((t) => (this.tileMode || releasesBands(t.sink) ? [] : null));
  }

  /** A buffer of `pixels` pixels for target `i`: a free pooled one when large enough. */
  private acquire(i: number, pixels: number): SampleArray {
    const info = this.targets[i]!.info;
    const length = pixels * info.samplesPerPixel;
    const pool = this.pools[i];
    const at = pool ? pool.findIndex((b) => b.length >= length) : -1;
    return at >= 0 ? pool!.splice(at, 1)[0]! : allocOutput(info, pixels);
  }

  place(job: TileJob, out: Float32Array, index: number, labels?: Uint8Array | Uint16Array): OutputWrite[] {
    const { plan, targets } = this;
    if (labels && (targets.length !== 1 || targets[0]!.kind !== "labels"))
      throw internalError("ready labels for a run that writes more than labels");
    if (this.tileMode) return this.placeTile(job, out, index, labels);
    const zt = this.zs[job.zi]!;
    const yt = plan.ys[job.yi]!;
    const xt = plan.xs[job.xi]!;
    const W = plan.width;
    // Unit geometry: 2-D = one band of this tile row; 3-D = whole planes of this Z tile.
    const unitRows = this.threeD ? plan.height : yt.end - yt.start;
    const unitY0 = this.threeD ? 0 : yt.start;
    const unitDepth = zt.end - zt.start;
    const key = this.threeD ? `${job.stack}:${job.zi}` : `${job.stack}:${job.zi}:${job.yi}`;
    let unit = this.units.get(key);
    if (!unit) {
      const tilesInUnit = this.threeD ? plan.ys.length * plan.xs.length : plan.xs.length;
      const pixels = unitDepth * unitRows * W;
      const whole = targets.map((_, i) => this.acquire(i, pixels));
      const buffers = whole.map((b, i) => {
        const length = pixels * targets[i]!.info.samplesPerPixel;
        return b.length === length ? b : b.subarray(0, length);
      });
      unit = { remaining: tilesInUnit, buffers, whole };
      this.units.set(key, unit);
    }
    const [td, th, tw] = this.dims;
    const src = {
      data: out,
      offset: index * td * th * tw + (zt.left * th + yt.left) * tw + xt.left,
      strideZ: th * tw,
      strideY: tw,
    };
    const ny = yt.end - yt.start;
    const nx = xt.end - xt.start;
    targets.forEach((_, i) => {
      const dst = { data: unit!.buffers[i]!, offset: (yt.start - unitY0) * W + xt.start, strideZ: unitRows * W, strideY: W };
      if (labels) copyBox(labels, src, dst, unitDepth, ny, nx);
      else convertBox(this.specs[i]!, src, dst, unitDepth, ny, nx, this.simd);
    });
    unit.remaining -= 1;
    if (unit.remaining > 0) return [];
    this.units.delete(key);
    const stack = this.stacks[job.stack]!;
    const writes: OutputWrite[] = [];
    const done = unit;
    // Each target's buffer goes back to its pool once all its planes are written.
    const pending = targets.map(() => unitDepth);
    for (let dz = 0; dz < unitDepth; dz++) {
      const plane = stack.outPlanes[zt.start + dz];
      if (!plane) throw internalError(`no output plane for z ${zt.start + dz}`);
      targets.forEach((target, i) => {
        const per = unitRows * W * target.info.samplesPerPixel;
        const pool = this.pools[i];
        const written = pool ? () => (--pending[i]! === 0 ? void pool.push(done.whole[i]!) : undefined) : undefined;
        const rect = { x: 0, y: unitY0, width: W, height: unitRows };
        writes.push({
          target,
          plane,
          rect,
          band: true,
          data: done.buffers[i]!.subarray(dz * per, (dz + 1) * per),
          ...(written ? { written } : {}),
        });
      });
    }
    return writes;
  }

  /** Tile mode: the tile's centre, converted, as one rectangle per output plane and target. */
  private placeTile(job: TileJob, out: Float32Array, index: number, labels?: Uint8Array | Uint16Array): OutputWrite[] {
    const { plan, targets } = this;
    const zt = this.zs[job.zi]!;
    const yt = plan.ys[job.yi]!;
    const xt = plan.xs[job.xi]!;
    const [td, th, tw] = this.dims;
    const ny = yt.end - yt.start;
    const nx = xt.end - xt.start;
    const rect = { x: xt.start, y: yt.start, width: nx, height: ny };
    const stack = this.stacks[job.stack]!;
    const writes: OutputWrite[] = [];
    for (let dz = 0; dz < zt.end - zt.start; dz++) {
      const plane = stack.outPlanes[zt.start + dz];
      if (!plane) throw internalError(`no output plane for z ${zt.start + dz}`);
      const src = {
        data: out,
        offset: index * td * th * tw + ((zt.left + dz) * th + yt.left) * tw + xt.left,
        strideZ: th * tw,
        strideY: tw,
      };
      targets.forEach((target, i) => {
        // Buffers hold a whole tile, so one fits the centre of any tile of the plan.
        const whole = this.acquire(i, th * tw);
        const data = whole.subarray(0, ny * nx * target.info.samplesPerPixel);
        const dst = { data, offset: 0, strideZ: ny * nx, strideY: nx };
        if (labels) copyBox(labels, src, dst, 1, ny, nx);
        else convertBox(this.specs[i]!, src, dst, 1, ny, nx, this.simd);
        const pool = this.pools[i]!;
        writes.push({ target, plane, rect, band: false, data, written: () => void pool.push(whole) });
      });
    }
    return writes;
  }
}

/** Side of the square accumulator blocks of `BlendAssembler`. */
const BLEND_BLOCK = 64;

interface BlendBlock {
  /** `BLEND_BLOCK² × channels` weighted sums. */
  acc: Float32Array;
  /** `BLEND_BLOCK²` weight sums. */
  wsum: Float32Array;
  /** Pixels of the block finalised so far, and the block's pixels inside the image. */
  final: number;
  area: number;
}

export class BlendAssembler implements Assembler {
  private readonly wy: Float32Array[];
  private readonly wx: Float32Array[];
  /** Rows `[fy[r], fy[r + 1])` are final once tile row r is placed; columns likewise with `fx`. */
  private readonly fy: number[];
  private readonly fx: number[];
  private readonly blocks = new Map<number, BlendBlock>();
  private readonly across: number;
  private readonly down: number;
  /** Every sink takes rectangles: write each final rectangle as soon as it is final. */
  private readonly tileMode: boolean;
  private readonly pools: (SampleArray[] | null)[];
  private norm = new Float32Array(0);

  constructor(
    private readonly targets: OutputTarget[],
    private readonly specs: ConvertSpec[],
    private readonly plan: TilePlan2D,
    private readonly stacks: Stack[],
    private readonly channels: number,
    mode: BlendMode,
  ) {
    this.wy = plan.ys.map((_, k) => blendWeights1D(plan.ys, k, mode));
    this.wx = plan.xs.map((_, k) => blendWeights1D(plan.xs, k, mode));
    const bounds = (tiles: Tile1D[], n: number) => [0, ...tiles.slice(1).map((t) => Math.min(n, Math.max(0, roiStart(t)))), n];
    this.fy = bounds(plan.ys, plan.height);
    this.fx = bounds(plan.xs, plan.width);
    this.across = Math.ceil(plan.width / BLEND_BLOCK);
    this.down = Math.ceil(plan.height / BLEND_BLOCK);
    this.tileMode = targets.every((t) => writesTiles(t.sink));
    this.pools = targets.map((t) => (this.tileMode || releasesBands(t.sink) ? [] : null));
  }

  private block(stack: number, by: number, bx: number): BlendBlock {
    const key = (stack * this.down + by) * this.across + bx;
    let b = this.blocks.get(key);
    if (!b) {
      const { width: W, height: H } = this.plan;
      const area = Math.min(BLEND_BLOCK, W - bx * BLEND_BLOCK) * Math.min(BLEND_BLOCK, H - by * BLEND_BLOCK);
      b = {
        acc: new Float32Array(BLEND_BLOCK * BLEND_BLOCK * this.channels),
        wsum: new Float32Array(BLEND_BLOCK * BLEND_BLOCK),
        final: 0,
        area,
      };
      this.blocks.set(key, b);
    }
    return b;
  }

  place(job: TileJob, out: Float32Array, index: number): OutputWrite[] {
    const { plan, channels: k } = this;
    const W = plan.width;
    const H = plan.height;
    const th = plan.tileHeight;
    const tw = plan.tileWidth;
    const y0 = roiStart(plan.ys[job.yi]!);
    const x0 = roiStart(plan.xs[job.xi]!);
    const wy = this.wy[job.yi]!;
    const wx = this.wx[job.xi]!;
    const base = index * th * tw;
    const xa = Math.max(0, x0);
    const xb = Math.min(W, x0 + tw);
    for (let j = Math.max(0, -y0); j < th && y0 + j < H; j++) {
      const y = y0 + j;
      const by = Math.floor(y / BLEND_BLOCK);
      const ry = (y - by * BLEND_BLOCK) * BLEND_BLOCK;
      for (let bx = Math.floor(xa / BLEND_BLOCK); bx * BLEND_BLOCK < xb; bx++) {
        const blk = this.block(job.stack, by, bx);
        const { acc, wsum } = blk;
        const end = Math.min(xb, (bx + 1) * BLEND_BLOCK);
        for (let x = Math.max(xa, bx * BLEND_BLOCK); x < end; x++) {
          const i = x - x0;
          const w = wy[j]! * wx[i]!;
          const a = ry + x - bx * BLEND_BLOCK;
          wsum[a] = wsum[a]! + w;
          const s = (base + j * tw + i) * k;
          const d = a * k;
          for (let c = 0; c < k; c++) acc[d + c] = acc[d + c]! + w * out[s + c]!;
        }
      }
    }
    const lastInRow = job.xi === plan.xs.length - 1;
    if (!this.tileMode && !lastInRow) return [];
    // Tile mode: this tile's final rectangle; bands: the whole final band of its row.
    const rect = {
      x: this.tileMode ? this.fx[job.xi]! : 0,
      y: this.fy[job.yi]!,
      width: this.tileMode ? this.fx[job.xi + 1]! - this.fx[job.xi]! : W,
      height: this.fy[job.yi + 1]! - this.fy[job.yi]!,
    };
    if (rect.width <= 0 || rect.height <= 0) return [];
    return this.finalise(job.stack, rect);
  }

  /** Normalise (`sum(w·p) / sum(w)`) and convert a final rectangle; frees blocks that are wholly final. */
  private finalise(stack: number, rect: Rect): OutputWrite[] {
    const k = this.channels;
    const { x: rx, y: ry, width: w, height: h } = rect;
    if (this.norm.length < w * h * k) this.norm = new Float32Array(w * h * k);
    const norm = this.norm;
    for (let by = Math.floor(ry / BLEND_BLOCK); by * BLEND_BLOCK < ry + h; by++) {
      const ya = Math.max(ry, by * BLEND_BLOCK);
      const yb = Math.min(ry + h, (by + 1) * BLEND_BLOCK);
      for (let bx = Math.floor(rx / BLEND_BLOCK); bx * BLEND_BLOCK < rx + w; bx++) {
        const xa = Math.max(rx, bx * BLEND_BLOCK);
        const xb = Math.min(rx + w, (bx + 1) * BLEND_BLOCK);
        const key = (stack * this.down + by) * this.across + bx;
        const blk = this.blocks.get(key);
        if (!blk) throw internalError(`blend: no contributions at (${xa}, ${ya})`);
        for (let y = ya; y < yb; y++) {
          for (let x = xa; x < xb; x++) {
            const a = (y - by * BLEND_BLOCK) * BLEND_BLOCK + x - bx * BLEND_BLOCK;
            const ws = blk.wsum[a]!;
            const d = ((y - ry) * w + x - rx) * k;
            for (let c = 0; c < k; c++) norm[d + c] = blk.acc[a * k + c]! / ws;
          }
        }
        blk.final += (yb - ya) * (xb - xa);
        if (blk.final >= blk.area) this.blocks.delete(key);
      }
    }
    const plane = this.stacks[stack]!.outPlanes[0]!;
    return this.targets.map((target, i): OutputWrite => {
      const pool = this.pools[i];
      const need = w * h * target.info.samplesPerPixel;
      const at = pool ? pool.findIndex((b) => b.length >= need) : -1;
      const whole = at >= 0 ? pool!.splice(at, 1)[0]! : allocOutput(target.info, w * h);
      const data = whole.length === need ? whole : whole.subarray(0, need);
      convertBox(this.specs[i]!, { data: norm, offset: 0, strideZ: 0, strideY: w }, { data, offset: 0, strideZ: 0, strideY: w }, 1, h, w);
      return { target, plane, rect, band: !this.tileMode, data, ...(pool ? { written: () => void pool.push(whole) } : {}) };
    });
  }
}
