/**
 * Composition at a scale the public samples do not reach, on CZIs built by
 * `synthetic-czi.ts`: 300 overlapping tiles in one plane (the bucket-grid index), subblocks
 * with and without M, several scenes, three pyramid levels, and B/H dimensions. The expected
 * pixels are painted independently here, pixel by pixel, in libCZI's drawing order.
 */
import { describe, expect, it } from "vitest";
import type { PlaneIndex } from "../../src/io/types.js";
import { openBytes } from "./czi-helpers.js";
import { buildCzi, type SynthTile } from "./synthetic-czi.js";

const P0: PlaneIndex = { scene: 0, t: 0, c: 0, z: 0 };

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Gray16 tile whose every pixel encodes (tile id, x, y) so any misplacement shows. */
function gray16Tile(id: number, x: number, y: number, w: number, h: number, dims: Record<string, number>): SynthTile {
  const data = new Uint16Array(w * h);
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) data[j * w + i] = (id * 977 + i * 31 + j * 7) & 0xffff;
  return { x, y, width: w, height: h, dims, pixelType: 1, data: new Uint8Array(data.buffer) };
}

describe("a 300-tile overlapping mosaic", () => {
  const random = rng(7);
  const tiles: SynthTile[] = [];
  const ms = [...Array(300).keys()].sort(() => random() - 0.5); // M in shuffled directory order
  for (let i = 0; i < 300; i++) {
    const w = 20 + Math.floor(random() * 40);
    const h = 20 + Math.floor(random() * 40);
    const dims: Record<string, number> = { C: 0 };
    if (i % 25 !== 0) dims.M = ms[i]!; // a few tiles without M: drawn first
    tiles.push(gray16Tile(i, -500 + Math.floor(random() * 900), 300 + Math.floor(random() * 700), w, h, dims));
  }
  const bytes = buildCzi(tiles);

  // Independent painter: no-M tiles first (directory order), then ascending M.
  const x0 = Math.min(...tiles.map((t) => t.x));
  const y0 = Math.min(...tiles.map((t) => t.y));
  const width = Math.max(...tiles.map((t) => t.x + t.width)) - x0;
  const height = Math.max(...tiles.map((t) => t.y + t.height)) - y0;
  const expected = new Uint16Array(width * height);
  const order = tiles.map((t, i) => ({ t, i })).sort((a, b) => (a.t.dims!.M ?? -1) - (b.t.dims!.M ?? -1) || a.i - b.i);
  for (const { t } of order) {
    const px = new Uint16Array(t.data.buffer);
    for (let j = 0; j < t.height; j++)
      for (let i = 0; i < t.width; i++) expected[(t.y - y0 + j) * width + (t.x - x0 + i)] = px[j * t.width + i]!;
  }

  it("has the bounding box of all tiles", async () => {
    const img = await openBytes(bytes, "mosaic.czi");
    expect([img.info.width, img.info.height]).toEqual([width, height]);
    expect(img.info.details?.mosaicTiles).toBe(300);
    expect(img.warnings).toEqual(["the file has no metadata segment: no channel names or scaling"]);
  });

  it("reads random regions exactly like the painter", async () => {
    const img = await openBytes(bytes, "mosaic.czi");
    const r = rng(11);
    for (let k = 0; k < 60; k++) {
      const w = 1 + Math.floor(r() * (k < 30 ? 80 : width));
      const h = 1 + Math.floor(r() * (k < 30 ? 80 : height));
      const x = Math.floor(r() * (width - w + 1));
      const y = Math.floor(r() * (height - h + 1));
      const got = await img.readRegion(P0, { x, y, width: w, height: h });
      const want = new Uint16Array(w * h);
      for (let j = 0; j < h; j++) want.set(expected.subarray((y + j) * width + x, (y + j) * width + x + w), j * w);
      expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(want.buffer)), `${x},${y} ${w}×${h}`).toBe(true);
    }
  });
});

describe("scenes, pyramid levels and extra dimensions", () => {
  const tiles: SynthTile[] = [
    // Scene 0: 64×64 at (100, 50), with pyramid levels ×2 and ×4 (stored 32×32, 16×16).
    gray16Tile(1, 100, 50, 64, 64, { S: 0, C: 0, M: 0, B: 0 }),
    { ...gray16Tile(2, 100, 50, 32, 32, { S: 0, C: 0, B: 0 }), width: 64, height: 64, storedWidth: 32, storedHeight: 32 },
    { ...gray16Tile(3, 100, 50, 16, 16, { S: 0, C: 0, B: 0 }), width: 64, height: 64, storedWidth: 16, storedHeight: 16 },
    // Scene 1: two tiles side by side at (400, 400) and (430, 400), 30×20, channels 0 and 1.
    gray16Tile(4, 400, 400, 30, 20, { S: 1, C: 0, M: 0, B: 0 }),
    gray16Tile(5, 430, 400, 30, 20, { S: 1, C: 0, M: 1, B: 0 }),
    gray16Tile(6, 400, 400, 30, 20, { S: 1, C: 1, M: 0, B: 0 }),
  ];

  it("exposes scenes with their own sizes and origins", async () => {
    const img = await openBytes(buildCzi(tiles));
    expect(img.info.sizes).toEqual({ scene: 2, t: 1, c: 2, z: 1 });
    expect(img.info.scenes).toEqual([
      { width: 64, height: 64, origin: { x: 0, y: 0 } },
      { width: 60, height: 20, origin: { x: 300, y: 350 } },
    ]);
    // Scene 1, C=1 has only the left tile: the right half reads as 0.
    const right = await img.readRegion({ ...P0, scene: 1, c: 1 }, { x: 30, y: 0, width: 30, height: 20 });
    expect(right.every((v) => v === 0)).toBe(true);
    const left = await img.readRegion({ ...P0, scene: 1, c: 1 }, { x: 0, y: 0, width: 30, height: 20 });
    expect(Buffer.from(left.buffer, left.byteOffset, left.byteLength).equals(Buffer.from(tiles[5]!.data))).toBe(true);
    // Scene 0, C=1 has no subblock at all.
    expect(img.warnings).toContain("1 of 4 planes have no level-0 subblocks; they read as 0");
  });

  it("reads each pyramid level from its own subblocks", async () => {
    const img = await openBytes(buildCzi(tiles));
    expect(img.levels.map((l) => [l.downsample, l.subblocks, l.scenes[0]!.width, l.scenes[1]!.width])).toEqual([
      [1, 4, 64, 60],
      [2, 1, 32, 30],
      [4, 1, 16, 15],
    ]);
    for (const [level, tile] of [
      [1, tiles[1]!],
      [2, tiles[2]!],
    ] as const) {
      const n = 64 / 2 ** level;
      const px = await img.readLevel(P0, { x: 0, y: 0, width: n, height: n }, level);
      expect(Buffer.from(px.buffer, px.byteOffset, px.byteLength).equals(Buffer.from(tile.data)), `level ${level}`).toBe(true);
    }
    // Scene 1 has no pyramid subblocks: its levels read as 0.
    const empty = await img.readLevel({ ...P0, scene: 1 }, { x: 0, y: 0, width: 30, height: 10 }, 1);
    expect(empty.every((v) => v === 0)).toBe(true);
  });

  it("a B dimension with one value is ignored; with two it needs otherDimensions", async () => {
    const two = buildCzi([...tiles, gray16Tile(7, 100, 50, 64, 64, { S: 0, C: 0, M: 1, B: 1 })]);
    await expect(openBytes(two, "b.czi")).rejects.toThrow(/^b\.czi: unsupported dimension B with size 2 \(indices 0\.\.1\)/);
    const img = await openBytes(two, "b.czi", { otherDimensions: "first" });
    const px = await img.readRegion(P0, { x: 0, y: 0, width: 64, height: 64 });
    expect(Buffer.from(px.buffer, px.byteOffset, px.byteLength).equals(Buffer.from(tiles[0]!.data))).toBe(true);
  });
});
