/**
 * `planUnits` and shards on their own, without onnxruntime: units are whole chunks, their
 * tile blocks cover their chunks with whole tiles of the whole-image grid, the units of all
 * shards are every unit once, and bad `--shard` values are one-line errors.
 */
import { describe, expect, it } from "vitest";
import { planPrediction, type ModelFacts, type SessionFacts } from "../../src/engine/plan.js";
import { parseShard, planUnits, shardUnits, unitHasChunk } from "../../src/engine/units.js";
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
  it("cuts a plane into whole chunks, each unit's tiles covering its chunks with whole-image tiles", () => {
    const plan = planFor(1000, 700);
    const units = planUnits(plan, { chunkSize: 128, unitSize: 300 });
    expect(units.chunk).toEqual([128, 128]);
    expect(units.unitChunks).toEqual([2, 2]); // 300 / 128 rounds to 2 chunks
    expect(units.chunkGrid).toEqual([6, 8]);
    expect(units.units).toHaveLength(3 * 4);
    const covered = new Set<string>();
    for (const u of units.units) {
      const { ys, xs } = plan.grid;
      const y0 = u.chunks.y[0] * 128;
      const y1 = Math.min(700, u.chunks.y[1] * 128);
      const x0 = u.chunks.x[0] * 128;
      const x1 = Math.min(1000, u.chunks.x[1] * 128);
      // the tiles' centres span the unit's pixels; the tiles just inside are needed
      expect(ys[u.tiles.y[0]]!.start).toBeLessThanOrEqual(y0);
      expect(ys[u.tiles.y[1] - 1]!.end).toBeGreaterThanOrEqual(y1);
      expect(ys[u.tiles.y[0]]!.end).toBeGreaterThan(y0);
      expect(ys[u.tiles.y[1] - 1]!.start).toBeLessThan(y1);
      expect(xs[u.tiles.x[0]]!.start).toBeLessThanOrEqual(x0);
      expect(xs[u.tiles.x[1] - 1]!.end).toBeGreaterThanOrEqual(x1);
      // the region read holds every tile's ROI
      const roiStart = ys[u.tiles.y[0]]!.start - ys[u.tiles.y[0]]!.left;
      expect(u.region.y).toBe(Math.max(0, roiStart));
      for (let cy = u.chunks.y[0]; cy < u.chunks.y[1]; cy++)
        for (let cx = u.chunks.x[0]; cx < u.chunks.x[1]; cx++) {
          const key = `${cy}/${cx}`;
          expect(covered.has(key)).toBe(false);
          covered.add(key);
          expect(unitHasChunk(u, { scene: 0, t: 0, c: 0, z: 0 }, cy, cx)).toBe(true);
        }
    }
    expect(covered.size).toBe(6 * 8);
  });

  it("is plain data, the same for the same plan, and makes one unit per stack for a small image", () => {
    const plan = planFor(200, 150, 3);
    const a = planUnits(plan, { chunkSize: 512 });
    expect(JSON.parse(JSON.stringify(a))).toEqual(planUnits(plan, { chunkSize: 512 }));
    expect(a.chunk).toEqual([150, 200]);
    expect(a.units.map((u) => u.outPlanes[0]!.z)).toEqual([0, 1, 2]);
    expect(a.units.every((u) => u.tiles.y[1] - u.tiles.y[0] === 1 && u.tiles.x[1] - u.tiles.x[0] === 1)).toBe(true);
  });

  it("refuses blending, and bad sizes", () => {
    expect(() => planUnits(planFor(1000, 700, 1, "linear"), { chunkSize: 128 })).toThrow(/crop-and-place/);
    expect(() => planUnits(planFor(1000, 700), { chunkSize: 128, unitSize: 0 })).toThrow(/--unit-size/);
  });
});

describe("shards", () => {
  it("give every unit to exactly one shard (unit i to shard i mod N)", () => {
    const { units } = planUnits(planFor(1000, 700), { chunkSize: 128, unitSize: 256 });
    const all = [0, 1, 2].flatMap((index) => shardUnits(units, { index, count: 3 }).map((u) => u.index));
    expect(all.sort((a, b) => a - b)).toEqual(units.map((u) => u.index));
    expect(shardUnits(units, { index: 1, count: 3 })[0]!.index).toBe(1);
  });

  it("parse K/N and refuse malformed or out-of-range values in one line", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    expect(parseShard(" 0 / 1 ")).toEqual({ index: 0, count: 1 });
    for (const bad of ["4/4", "5/4", "0/0", "1", "a/b", "-1/4", "1/2/3", ""]) {
      expect(() => parseShard(bad)).toThrow(/^--shard: .* \(allowed: K\/N/);
    }
  });
});
