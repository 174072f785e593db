/**
 * Tiling plans: the two worked examples of docs/inference.md#tiling-geometry (cztile), edge cases, the
 * properties every plan must have, numpy-reflect padding, stride snapping and blend weights.
 */
import { describe, expect, it } from "vitest";
import { CzmodelError } from "../../src/errors.js";
import {
  blendWeights1D,
  cztile1D,
  defaultDynamicTile,
  planTiles2D,
  planTiles3D,
  reflectIndex,
  roiEnd,
  roiIndexMap,
  roiStart,
  snapTileSize,
  tileCount,
} from "../../src/engine/tiling.js";

describe("cztile 1-D strategy", () => {
  it("worked example W=1000, T=256, b=32", () => {
    const tiles = cztile1D(1000, 256, 32);
    expect(tiles.map((t) => t.start)).toEqual([0, 221, 407, 593, 779]);
    expect(tiles.map((t) => t.end - t.start)).toEqual([221, 186, 186, 186, 221]);
    expect(tiles.map(roiStart)).toEqual([0, 186, 372, 558, 744]);
    expect(tiles.map((t) => [t.left, t.right])).toEqual([
      [0, 35],
      [35, 35],
      [35, 35],
      [35, 35],
      [35, 0],
    ]);
  });

  it("worked example W=2755, T=1024, b=64", () => {
    const tiles = cztile1D(2755, 1024, 64);
    expect(tiles.map((t) => t.end - t.start)).toEqual([945, 866, 944]);
    expect(tiles.map((t) => [t.left, t.right])).toEqual([
      [0, 79],
      [79, 79],
      [80, 0],
    ]);
  });

  it("image shorter than the tile: one tile, borders outside the image split floor/ceil", () => {
    expect(cztile1D(100, 256, 32)).toEqual([{ start: 0, end: 100, left: 78, right: 78 }]);
    expect(cztile1D(101, 256, 32)).toEqual([{ start: 0, end: 101, left: 77, right: 78 }]);
  });

  it("image exactly one tile: one tile, no borders", () => {
    expect(cztile1D(256, 256, 32)).toEqual([{ start: 0, end: 256, left: 0, right: 0 }]);
  });

  it("rejects a border of half the tile or more, naming the limit", () => {
    expect(() => cztile1D(1000, 64, 32)).toThrow(CzmodelError);
    expect(() => cztile1D(1000, 64, 32)).toThrow(/border 32 per side is too large for a tile of 64.*< 32/);
    expect(() => cztile1D(0, 64, 2)).toThrow(/image length 0/);
  });

  it("properties: centres tessellate, every ROI is T long and inside the image, borders >= b and near-equal", () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const failures: string[] = [];
    for (let trial = 0; trial < 3000; trial++) {
      const t = 2 + rand(600);
      const b = rand(Math.ceil(t / 2));
      if (2 * b >= t) continue;
      const w = t + rand(20 * t);
      const tiles = cztile1D(w, t, b);
      const fail = (why: string) => failures.push(`W=${w} T=${t} b=${b}: ${why}`);
      let next = 0;
      for (const tile of tiles) {
        if (tile.start !== next || tile.end <= tile.start) fail(`centre [${tile.start}, ${tile.end}) after ${next}`);
        next = tile.end;
        if (roiEnd(tile) - roiStart(tile) !== t) fail("ROI length");
        if (roiStart(tile) < 0 || roiEnd(tile) > w) fail("ROI outside the image");
      }
      if (next !== w) fail("centres do not reach the end");
      if (tiles.length > 1) {
        if (tiles[0]!.left !== 0 || tiles.at(-1)!.right !== 0) fail("edge tile has a border on the image side");
        const inner = [...tiles.slice(1).map((x) => x.left), ...tiles.slice(0, -1).map((x) => x.right)];
        if (Math.min(...inner) < b) fail("inner border below b");
        if (Math.max(...inner) - Math.min(...inner) > 1) fail("inner borders differ by more than 1");
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("2-D and 3-D plans", () => {
  it("2-D is the product of the Y and X plans (nuclei image with the 1024² model)", () => {
    const plan = planTiles2D(1416, 1960, [1024, 1024], [4, 4]);
    expect(plan.ys.map((t) => [t.start, t.end])).toEqual([
      [0, 708],
      [708, 1416],
    ]);
    expect(plan.xs.map((t) => [t.start, t.end])).toEqual([
      [0, 980],
      [980, 1960],
    ]);
    expect(tileCount(plan)).toBe(4);
    expect(plan.padded).toBe(false);
  });

  it("marks plans that need padding", () => {
    expect(planTiles2D(100, 2000, [256, 256], [8, 8]).padded).toBe(true);
  });

  it("3-D adds a Z plan with the same strategy", () => {
    const plan = planTiles3D(9, 40, 44, [6, 16, 16], [2, 2, 2]);
    expect(plan.zs.map((t) => [t.start, t.end, t.left, t.right])).toEqual([
      [0, 4, 0, 2],
      [4, 6, 2, 2],
      [6, 9, 3, 0],
    ]);
    expect(tileCount(plan)).toBe(3 * plan.ys.length * plan.xs.length);
  });
});

describe("reflect padding (numpy 'reflect')", () => {
  it("matches np.pad([1,2,3,4], (5,6), 'reflect') = [2 3 4 3 2 1 2 3 4 3 2 1 2 3 4]", () => {
    const row = [1, 2, 3, 4];
    const padded = Array.from({ length: 15 }, (_, i) => row[reflectIndex(i - 5, 4)]);
    expect(padded).toEqual([2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4]);
  });

  it("matches numpy for lengths 1 and 2", () => {
    expect(Array.from({ length: 6 }, (_, i) => reflectIndex(i - 2, 1))).toEqual([0, 0, 0, 0, 0, 0]);
    // np.pad([1,2], (3,3), 'reflect') = [2 1 2 1 2 1 2 1]
    expect(Array.from({ length: 8 }, (_, i) => [1, 2][reflectIndex(i - 3, 2)])).toEqual([2, 1, 2, 1, 2, 1, 2, 1]);
  });

  it("maps a padded ROI into the read window", () => {
    const [tile] = cztile1D(4, 8, 1); // ROI [-2, 6)
    expect(Array.from(roiIndexMap(tile!, 4, 0))).toEqual([2, 1, 0, 1, 2, 3, 2, 1]);
  });
});

describe("tile sizes for dynamic models", () => {
  it("snaps a requested tile down to the model's multiple (at least one multiple)", () => {
    expect(snapTileSize(1000, 16)).toBe(992);
    expect(snapTileSize(1024, 16)).toBe(1024);
    expect(snapTileSize(10, 16)).toBe(16);
    expect(() => snapTileSize(0, 16)).toThrow(/--tile: tile size 0/);
  });

  it("defaults to the image rounded up to the multiple, capped at 1024", () => {
    expect(defaultDynamicTile(300, 16)).toBe(304);
    expect(defaultDynamicTile(5000, 16)).toBe(1024);
    expect(defaultDynamicTile(300, 1)).toBe(300);
  });
});

describe("blend weights", () => {
  const tiles = cztile1D(1000, 256, 32);

  it("linear: neighbours cross-fade with weights summing to 1, no ramp at the image edges", () => {
    const w0 = blendWeights1D(tiles, 0, "linear");
    const w1 = blendWeights1D(tiles, 1, "linear");
    expect(w0[0]).toBe(1);
    expect(blendWeights1D(tiles, 4, "linear")[255]).toBe(1);
    const overlapStart = roiStart(tiles[1]!);
    for (let x = overlapStart; x < roiEnd(tiles[0]!); x++) {
      const a = w0[x - roiStart(tiles[0]!)]!;
      const b = w1[x - roiStart(tiles[1]!)]!;
      expect(a).toBeGreaterThan(0);
      expect(a + b).toBeCloseTo(1, 6);
    }
    expect(w1[128]).toBe(1);
  });

  it("gaussian: symmetric, positive everywhere, peak in the middle", () => {
    const w = blendWeights1D(tiles, 2, "gaussian");
    expect(w[0]).toBeCloseTo(w[255]!, 7);
    expect(w[0]).toBeGreaterThan(0);
    expect(w[127]).toBeGreaterThan(0.99);
  });

  it("none: all ones", () => {
    expect(Array.from(new Set(blendWeights1D(tiles, 2, "none")))).toEqual([1]);
  });
});
