/**
 * Stitching: turns tile outputs into the full-width bands the sinks take, in order.
 *
 * - `CropAssembler` (ZEN crop-and-place): each tile contributes only its centre. For 2-D
 *   models the unit is one tile row: its centres form the band `[y0, y1)`, written as soon as
 *   the row's last tile is placed (memory: about one band per open row). For 3-D models the
 *   unit is one Z tile: its centres fill whole planes `[z0, z1)` (memory: that many output
 *   planes), written plane by plane when the slab is complete, since a sink takes planes in
 *   order.
 * - `BlendAssembler` (2-D only): every tile contributes its whole ROI with weights
 *   (`blendWeights1D`); rows are final once the next tile row's ROI starts below them, then
 *   normalised (`sum(w·p) / sum(w)`), converted and written. Memory: one tile height of
 *   `K + 1` float rows.
 *
 * Tiles must be placed in plan order (stack, Z tile, tile row, tile column).
 */
import { internalError } from "../errors.js";
import type { PlaneIndex, SampleArray } from "../io/types.js";
import { allocOutput, convertBox, type ConvertSpec, type OutputTarget } from "./outputs.js";
import type { Stack } from "./planes.js";
import { type BlendMode, blendWeights1D, roiStart, type Tile1D, type TilePlan2D, type TilePlan3D } from "./tiling.js";

export interface TileJob {
  /** Index into the stack list. */
  stack: number;
  zi: number;
  yi: number;
  xi: number;
}

export interface BandWrite {
  target: OutputTarget;
  plane: PlaneIndex;
  y: number;
  rows: number;
  data: SampleArray;
}

export interface Assembler {
  /** Place the tile at position `index` of a batch output; returns the bands it completed. */
  place(job: TileJob, out: Float32Array, index: number): BandWrite[];
}

/** Tile spatial dims `[d, h, w]` (d = 1 for 2-D plans). */
function tileDims(plan: TilePlan2D | TilePlan3D): [number, number, number] {
  return ["zs" in plan ? plan.tileDepth : 1, plan.tileHeight, plan.tileWidth];
}

const SINGLE_Z: Tile1D[] = [{ start: 0, end: 1, left: 0, right: 0 }];

export class CropAssembler implements Assembler {
  private readonly units = new Map<string, { remaining: number; buffers: SampleArray[] }>();
  private readonly dims: [number, number, number];
  private readonly zs: Tile1D[];
  private readonly threeD: boolean;

  constructor(
    private readonly targets: OutputTarget[],
    private readonly specs: ConvertSpec[],
    private readonly plan: TilePlan2D | TilePlan3D,
    private readonly stacks: Stack[],
  ) {
    this.dims = tileDims(plan);
    this.threeD = "zs" in plan;
    this.zs = "zs" in plan ? plan.zs : SINGLE_Z;
  }

  place(job: TileJob, out: Float32Array, index: number): BandWrite[] {
    const { plan, targets } = this;
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
      unit = { remaining: tilesInUnit, buffers: targets.map((t) => allocOutput(t.info, unitDepth * unitRows * W)) };
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
      convertBox(this.specs[i]!, src, dst, unitDepth, ny, nx);
    });
    unit.remaining -= 1;
    if (unit.remaining > 0) return [];
    this.units.delete(key);
    const stack = this.stacks[job.stack]!;
    const writes: BandWrite[] = [];
    for (let dz = 0; dz < unitDepth; dz++) {
      const plane = stack.outPlanes[zt.start + dz];
      if (!plane) throw internalError(`no output plane for z ${zt.start + dz}`);
      targets.forEach((target, i) => {
        const per = unitRows * W * target.info.samplesPerPixel;
        writes.push({ target, plane, y: unitY0, rows: unitRows, data: unit!.buffers[i]!.subarray(dz * per, (dz + 1) * per) });
      });
    }
    return writes;
  }
}

export class BlendAssembler implements Assembler {
  private readonly wy: Float32Array[];
  private readonly wx: Float32Array[];
  private readonly cap: number;
  private state: { stack: number; lo: number; acc: Float32Array; wsum: Float32Array; remaining: number[] } | null = null;

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
    this.cap = plan.tileHeight;
  }

  private stateFor(stack: number) {
    if (!this.state || this.state.stack !== stack) {
      if (this.state && this.state.lo !== this.plan.height) throw internalError("blend: previous stack not finished");
      const W = this.plan.width;
      this.state = {
        stack,
        lo: 0,
        acc: new Float32Array(this.cap * W * this.channels),
        wsum: new Float32Array(this.cap * W),
        remaining: this.plan.ys.map(() => this.plan.xs.length),
      };
    }
    return this.state;
  }

  place(job: TileJob, out: Float32Array, index: number): BandWrite[] {
    const { plan, channels: k } = this;
    const st = this.stateFor(job.stack);
    const W = plan.width;
    const H = plan.height;
    const th = plan.tileHeight;
    const tw = plan.tileWidth;
    const y0 = roiStart(plan.ys[job.yi]!);
    const x0 = roiStart(plan.xs[job.xi]!);
    const wy = this.wy[job.yi]!;
    const wx = this.wx[job.xi]!;
    const base = index * th * tw;
    for (let j = 0; j < th; j++) {
      const y = y0 + j;
      if (y < 0 || y >= H) continue;
      const r = y - st.lo;
      if (r < 0 || r >= this.cap) throw internalError(`blend: row ${y} outside the window at ${st.lo}`);
      for (let i = 0; i < tw; i++) {
        const x = x0 + i;
        if (x < 0 || x >= W) continue;
        const w = wy[j]! * wx[i]!;
        const a = r * W + x;
        st.wsum[a] = st.wsum[a]! + w;
        const s = (base + j * tw + i) * k;
        const d = a * k;
        for (let c = 0; c < k; c++) st.acc[d + c] = st.acc[d + c]! + w * out[s + c]!;
      }
    }
    st.remaining[job.yi]! -= 1;
    if (st.remaining[job.yi]! > 0) return [];
    const nextTile = plan.ys[job.yi + 1];
    const next = nextTile ? Math.max(0, roiStart(nextTile)) : H;
    const rows = next - st.lo;
    if (rows <= 0) return [];
    const norm = new Float32Array(rows * W * k);
    for (let p = 0; p < rows * W; p++) {
      const w = st.wsum[p]!;
      for (let c = 0; c < k; c++) norm[p * k + c] = st.acc[p * k + c]! / w;
    }
    const plane = this.stacks[job.stack]!.outPlanes[0]!;
    const writes = this.targets.map((target, i): BandWrite => {
      const data = allocOutput(target.info, rows * W);
      convertBox(this.specs[i]!, { data: norm, offset: 0, strideZ: 0, strideY: W }, { data, offset: 0, strideZ: 0, strideY: W }, 1, rows, W);
      return { target, plane, y: st.lo, rows, data };
    });
    st.acc.copyWithin(0, rows * W * k);
    st.acc.fill(0, (this.cap - rows) * W * k);
    st.wsum.copyWithin(0, rows * W);
    st.wsum.fill(0, (this.cap - rows) * W);
    st.lo = next;
    return writes;
  }
}
