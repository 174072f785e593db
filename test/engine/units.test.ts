/**
 * `planUnits` and shards on their own, without onnxruntime: units are blocks of whole tiles of
 * the whole-image grid (each tile in one unit), every chunk is written by exactly the units
 * whose pixels meet it, the units of all shards are every unit once, and bad `--shard` values
 * are one-line errors.
 */
import { describe, expect, it } from "vitest";
import { planPrediction, type ModelFacts, type SessionFacts } from "../../src/engine/plan.js";
import { allUnits, chunkUnits, parseShard, planUnits, shardUnits, unitAt } from "../../src/engine/units.js";
import type { ImageInfo } from "../../src/io/types.js";

function image(width: number, height: number, z = 1): ImageInfo {
  return {
    format: "memory",
    width,
    height,
    scenes: [{ width, height }],
    sizes: { scene: 1, t: 1, c: 1, z },
    samplesPerPixel: 1,
    sampleOrder: "gray",
    sampleType: "uint16",
  };
}

const session: SessionFacts = {
  inputName: "input",
  outputName: "output",
  rank: 4,
  fixedBatch: null,
  batchDynamic: true,
  spatialIn: [256, 256],
  outputChannels: 2,
};

const model: ModelFacts = {
  name: "nuclei",
  kind: "segmentation",
  tile: [256, 256],
  border: [32, 32],
  inputChannels: 1,
  outputChannels: 2,
  scaleInputs: true,
};

const planFor = (width: number, height: number, z = 1, blend: "none" | "linear" = "none") =>
  planPrediction({ model, image: image(width, height, z), session, options: { blend } });

describe("planUnits", () => {
  it("cuts a plane into blocks of whole tiles: every tile in one unit, every chunk written by the units that meet it", () => {
    const plan = planFor(1000, 700);
    const { ys, xs } = plan.grid;
    const units = planUnits(plan, { chunkSize: 128, unitSize: 400 });
    const all = allUnits(plan, units);
    expect(units.chunk).toEqual([128, 128]);
    expect(units.chunkGrid).toEqual([6, 8]);
    const perUnit = (length: number, tiles: number) => Math.max(1, Math.round(400 / (length / tiles)));
    expect(units.unitTiles).toEqual([perUnit(700, ys.length), perUnit(1000, xs.length)]);
    expect(units.count).toBe(units.unitGrid[0] * units.unitGrid[1]);
    expect(all).toHaveLength(units.count);
    const tileOwner = new Map<string, number>();
    for (const u of all) {
      for (let ty = u.tiles.y[0]; ty < u.tiles.y[1]; ty++)
        for (let tx = u.tiles.x[0]; tx < u.tiles.x[1]; tx++) {
          expect(tileOwner.has(`${ty}/${tx}`)).toBe(false);
          tileOwner.set(`${ty}/${tx}`, u.index);
        }
      // out is the union of its tiles' centres; region holds every tile's ROI
      expect(u.out).toEqual({
        y: ys[u.tiles.y[0]]!.start,
        x: xs[u.tiles.x[0]]!.start,
        height: ys[u.tiles.y[1] - 1]!.end - ys[u.tiles.y[0]]!.start,
        width: xs[u.tiles.x[1] - 1]!.end - xs[u.tiles.x[0]]!.start,
      });
      expect(u.region.y).toBe(Math.max(0, ys[u.tiles.y[0]]!.start - ys[u.tiles.y[0]]!.left));
      expect(u.chunks.y).toEqual([Math.floor(u.out.y / 128), Math.ceil((u.out.y + u.out.height) / 128)]);
    }
    expect(tileOwner.size).toBe(ys.length * xs.length);
    // every chunk: the units that write it are exactly those whose pixels meet it, and together they cover it
    for (let cy = 0; cy < 6; cy++)
      for (let cx = 0; cx < 8; cx++) {
        const writers = chunkUnits(plan, units, 0, cy, cx);
        const meets = all.filter(
          (u) =>
            u.out.y < (cy + 1) * 128 && u.out.y + u.out.height > cy * 128 && u.out.x < (cx + 1) * 128 && u.out.x + u.out.width > cx * 128,
        );
        expect(writers).toEqual(meets.map((u) => u.index));
        const area = meets.reduce((sum, u) => {
          const h = Math.min(u.out.y + u.out.height, (cy + 1) * 128, 700) - Math.max(u.out.y, cy * 128);
          const w = Math.min(u.out.x + u.out.width, (cx + 1) * 128, 1000) - Math.max(u.out.x, cx * 128);
          return sum + h * w;
        }, 0);
        expect(area).toBe((Math.min(700, (cy + 1) * 128) - cy * 128) * (Math.min(1000, (cx + 1) * 128) - cx * 128));
      }
  });

  it("is small plain data, the same for the same plan, and makes one unit per stack for a small image", () => {
    const plan = planFor(200, 150, 3);
    const a = planUnits(plan, { chunkSize: 512 });
    expect(JSON.parse(JSON.stringify(a))).toEqual(planUnits(plan, { chunkSize: 512 }));
    expect(a).toEqual({ chunk: [150, 200], chunkGrid: [1, 1], unitTiles: [1, 1], unitGrid: [1, 1], count: 3 });
    const units = allUnits(plan, a);
    expect(units.map((u) => u.outPlanes[0]!.z)).toEqual([0, 1, 2]);
    expect(units.every((u) => u.tiles.y[1] - u.tiles.y[0] === 1 && u.tiles.x[1] - u.tiles.x[0] === 1)).toBe(true);
    expect(() => unitAt(plan, a, 3)).toThrow(/no unit 3/);
  });

  it("refuses blending, and bad sizes", () => {
    expect(() => planUnits(planFor(1000, 700, 1, "linear"), { chunkSize: 128 })).toThrow(/crop-and-place/);
    expect(() => planUnits(planFor(1000, 700), { chunkSize: 128, unitSize: 0 })).toThrow(/--unit-size/);
  });
});

describe("shards", () => {
  it("give every unit to exactly one shard (unit i to shard i mod N)", () => {
    const { count } = planUnits(planFor(1000, 700), { chunkSize: 128, unitSize: 256 });
    const all = [0, 1, 2].flatMap((index) => shardUnits(count, { index, count: 3 }));
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(shardUnits(count, { index: 1, count: 3 }).slice(0, 2)).toEqual([1, 4]);
  });

  it("parse K/N and refuse malformed or out-of-range values in one line", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    expect(parseShard(" 0 / 1 ")).toEqual({ index: 0, count: 1 });
    for (const bad of ["4/4", "5/4", "0/0", "1", "a/b", "-1/4", "1/2/3", ""]) {
      expect(() => parseShard(bad)).toThrow(/^--shard: .* \(allowed: K\/N/);
    }
  });
});
