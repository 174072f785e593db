/**
 * The decoded-block cache of the TIFF reader (src/io/tiff/block-cache.ts) under the prediction
 * engine's access pattern: the ROIs of `planTiles2D` read through `roiReadWindow` in raster
 * order, in batches, the next batch read while the previous one is still being read. Every
 * block is decoded exactly once (counted at the injected `inflate`), the cache holds about one
 * row of blocks across the width (not the ~3 that plain LRU needs), and the pixels are right.
 * The policy's parts are also tested on `BlockCache` directly.
 */
import { describe, expect, it } from "vitest";
import { MemoryByteSource } from "../../src/bytes/byte-source.js";
import { MemoryByteTarget } from "../../src/io/byte-target.js";
import { nodeInflate, nodeZlibCompressor } from "../../src/io/node/zlib-compressor.js";
import { BlockCache, type BlockPlace } from "../../src/io/tiff/block-cache.js";
import { OmeTiffSink } from "../../src/io/tiff/ome-tiff-sink.js";
import { TiffImageSource } from "../../src/io/tiff/tiff-source.js";
import type { PlaneIndex, Rect, SampleArray } from "../../src/io/types.js";
import { planTiles2D, roiReadWindow } from "../../src/engine/tiling.js";
import { fixture } from "../helpers/paths.js";
import { readFileSync } from "node:fs";
import { expected } from "./helpers.js";

const MiB = 1024 * 1024;

/** A value that tells apart every pixel of a plane (mod 256) and the planes. */
const pixel = (x: number, y: number, c: number) => (x * 7 + y * 13 + c * 101) & 255;

/** An in-memory tiled deflate BigTIFF OME-TIFF (our writer) of `c` uint8 planes. */
async function tiledTiff(width: number, height: number, tile: number, c = 1): Promise<Uint8Array> {
  const target = new MemoryByteTarget("raster.ome.tif");
  const sink = new OmeTiffSink(target, { tileSize: tile, compressor: nodeZlibCompressor(1) });
  await sink.begin({ width, height, sizes: { scene: 1, t: 1, c, z: 1 }, samplesPerPixel: 1, sampleType: "uint8", kind: "regression" });
  const band = new Uint8Array(tile * width);
  for (let ci = 0; ci < c; ci++) {
    for (let y = 0; y < height; y += tile) {
      const rows = Math.min(tile, height - y);
      for (let r = 0; r < rows; r++) for (let x = 0; x < width; x++) band[r * width + x] = pixel(x, y + r, ci);
      await sink.writeBand({ scene: 0, t: 0, c: ci, z: 0 }, y, rows, band.subarray(0, rows * width));
    }
  }
  await sink.finish();
  return target.bytes;
}

interface Sample {
  bytes: number;
  carryBytes: number;
}

/**
 * Read every tile's ROI window of every plane as the engine does (`TileInputReader` inside
 * `predict`): tiles in raster order, `batch` tiles at a time, batch i + 1 started before batch
 * i has finished. Calls `check` with each result and samples the cache after every read.
 */
async function engineRaster(
  source: TiffImageSource,
  planes: PlaneIndex[],
  tile: number,
  border: number,
  batch: number,
  check: (plane: PlaneIndex, rect: Rect, data: SampleArray) => void,
): Promise<{ samples: Sample[]; rects: Rect[] }> {
  const { width, height } = source.info;
  const plan = planTiles2D(height, width, [tile, tile], [border, border]);
  const rects: Rect[] = [];
  for (const yt of plan.ys) {
    for (const xt of plan.xs) {
      const yw = roiReadWindow(yt, height);
      const xw = roiReadWindow(xt, width);
      rects.push({ x: xw.start, y: yw.start, width: xw.end - xw.start, height: yw.end - yw.start });
    }
  }
  const samples: Sample[] = [];
  const sample = () => samples.push({ bytes: source.blockCache.bytes, carryBytes: source.blockCache.carryBytes });
  const readBatch = (list: Rect[]) =>
    Promise.all(
      list.flatMap((rect) =>
        planes.map((plane) => {
          const read = source.readRegionInto(plane, rect, null).then((data) => {
            sample();
            check(plane, rect, data);
          });
          sample(); // after the read has looked up (and added) all its blocks
          return read;
        }),
      ),
    );
  let previous: Promise<unknown> | null = null;
  for (let i = 0; i < rects.length; i += batch) {
    const current = readBatch(rects.slice(i, i + batch));
    current.catch(() => undefined);
    if (previous) await previous;
    previous = current;
  }
  await previous;
  return { samples, rects };
}

/** The distinct blocks (tiles) of `tileSize` that a list of regions touches. */
function blocksTouched(rects: Rect[], tileSize: number): number {
  const seen = new Set<string>();
  for (const r of rects) {
    for (let by = Math.floor(r.y / tileSize); by <= Math.floor((r.y + r.height - 1) / tileSize); by++) {
      for (let bx = Math.floor(r.x / tileSize); bx <= Math.floor((r.x + r.width - 1) / tileSize); bx++) seen.add(`${bx},${by}`);
    }
  }
  return seen.size;
}

/** The largest overlap of two neighbouring ROIs along an axis of `length` (what the next tile row reads again). */
function maxOverlap(length: number, tile: number, border: number): number {
  const tiles = planTiles2D(length, length, [tile, tile], [border, border]).ys;
  let most = 0;
  for (let i = 1; i < tiles.length; i++)
    most = Math.max(most, roiReadWindow(tiles[i - 1]!, length).end - roiReadWindow(tiles[i]!, length).start);
  return most;
}

function checkPixels(plane: PlaneIndex, rect: Rect, data: SampleArray): void {
  expect(data.length).toBe(rect.width * rect.height);
  for (let y = 0; y < rect.height; y++) {
    for (let x = 0; x < rect.width; x++) {
      const want = pixel(rect.x + x, rect.y + y, plane.c);
      if (data[y * rect.width + x] !== want) {
        expect(`pixel (${rect.x + x}, ${rect.y + y}) of c=${plane.c}: ${data[y * rect.width + x]}`).toBe(
          `pixel (${rect.x + x}, ${rect.y + y}) of c=${plane.c}: ${want}`,
        );
      }
    }
  }
}

function countingInflate(): { inflate: (c: Uint8Array, n?: number) => Promise<Uint8Array>; calls: () => number } {
  let calls = 0;
  return {
    inflate: (compressed, expectedBytes) => {
      calls++;
      return nodeInflate(compressed, expectedBytes);
    },
    calls: () => calls,
  };
}

describe("decoded-block cache under the engine's raster of ROIs", () => {
  it.each([
    { tile: 512, border: 32, batch: 1 },
    { tile: 512, border: 60, batch: 4 },
    { tile: 1024, border: 12, batch: 2 },
  ])(
    "decodes each block once and holds about one block row: ROIs of $tile, border $border, batch $batch",
    async ({ tile, border, batch }) => {
      // 16384 × 3072 uint8 in 256² tiles: a row of blocks is 64 tiles of 64 KiB = 4 MiB.
      const width = 16384;
      const height = 3072;
      const blockSize = 256;
      const bytes = await tiledTiff(width, height, blockSize);
      const counter = countingInflate();
      const source = await TiffImageSource.open(new MemoryByteSource(bytes, "raster.ome.tif"), {
        inflate: counter.inflate,
        tileCacheBytes: 24 * MiB,
      });
      const { samples, rects } = await engineRaster(source, [{ scene: 0, t: 0, c: 0, z: 0 }], tile, border, batch, checkPixels);

      // (a) Every block of the image once, none twice.
      const blocks = (width / blockSize) * (height / blockSize);
      expect(blocksTouched(rects, blockSize)).toBe(blocks);
      expect(counter.calls()).toBe(blocks);

      // (b) The bound of block-cache.ts: the carry tier holds one band of carryRows +
      // blockHeight rows across the width (carryRows: the overlap of tile rows + 8 once known,
      // before that half a tile + 64), the recent tier the blocks of about two reads (a ROI
      // touches at most (tile / 256 + 1)² blocks of 64 KiB) or its floor of 16 blocks.
      const rowBytes = width;
      const blockRow = blockSize * rowBytes;
      const overlap = maxOverlap(height, tile, border);
      expect(source.blockCache.carryRows(rowBytes, tile)).toBeLessThanOrEqual(overlap + 8);
      const firstRows = Math.max(Math.floor((3 * MiB) / rowBytes), tile / 2 + 64);
      const carryBound = (Math.max(firstRows, overlap + 8) + blockSize) * rowBytes;
      const roiBlocks = (tile / blockSize + 1) ** 2 * blockSize * blockSize;
      const recentBound = Math.max(16 * blockSize * blockSize, 2 * roiBlocks) + batch * roiBlocks;
      const peak = Math.max(...samples.map((s) => s.bytes));
      const peakCarry = Math.max(...samples.map((s) => s.carryBytes));
      expect(peakCarry).toBeLessThanOrEqual(carryBound);
      expect(peak).toBeLessThanOrEqual(carryBound + recentBound);
      // Plain LRU decodes each block once only when the block rows of one row of ROIs, and one
      // more, fit (the old default reserved 4 block rows for 512-pixel blocks).
      const lruNeeds = (tile / blockSize + 2) * blockRow;
      expect(peak).toBeLessThan(lruNeeds / 2);
      await source.close();
    },
  );

  it("decodes each block once with two planes read per tile (two pages), holding one band per plane", async () => {
    const width = 8192;
    const height = 2048;
    const blockSize = 256;
    const bytes = await tiledTiff(width, height, blockSize, 2);
    const counter = countingInflate();
    const source = await TiffImageSource.open(new MemoryByteSource(bytes, "two.ome.tif"), { inflate: counter.inflate });
    const planes = [0, 1].map((c) => ({ scene: 0, t: 0, c, z: 0 }));
    const { samples } = await engineRaster(source, planes, 512, 24, 3, checkPixels);
    expect(counter.calls()).toBe(2 * (width / blockSize) * (height / blockSize));
    // Two bands (one per plane), each at most carryRows + 256 rows; carryRows is the rows of
    // an eighth of the cap before the first change of tile row, then overlap + 8.
    const firstRows = Math.floor(Math.min(16 * MiB, source.blockCache.limitBytes / 8) / width);
    const peakCarry = Math.max(...samples.map((s) => s.carryBytes));
    expect(peakCarry).toBeLessThanOrEqual(2 * (firstRows + blockSize) * width);
    expect(source.blockCache.carryRows(width, 512)).toBeLessThanOrEqual(maxOverlap(height, 512, 24) + 8);
    await source.close();
  });

  it("decodes each strip once over a raster of a stripped planar deflate TIFF (tifffile), pixels as tifffile reads them", async () => {
    const name = "planar_rgb_u16.tif"; // 70 × 45 × 3 uint16, 8-row deflate strips, planar
    const counter = countingInflate();
    const source = await TiffImageSource.open(new MemoryByteSource(new Uint8Array(readFileSync(fixture("io", name))), name), {
      inflate: counter.inflate,
    });
    const want = expected(name).scenes[0]!.data; // (T, C, Z, Y, X, S) = (1, 1, 1, 45, 70, 3)
    const { width } = source.info;
    await engineRaster(source, [{ scene: 0, t: 0, c: 0, z: 0 }], 16, 3, 2, (_plane, rect, data) => {
      for (let y = 0; y < rect.height; y++) {
        for (let x = 0; x < rect.width * 3; x++) {
          const got = data[y * rect.width * 3 + x];
          const ref = want[((rect.y + y) * width + rect.x) * 3 + x];
          if (got !== ref) expect(`(${rect.x}, ${rect.y + y}) sample ${x}: ${got}`).toBe(`(${rect.x}, ${rect.y + y}) sample ${x}: ${ref}`);
        }
      }
    });
    expect(counter.calls()).toBe(3 * Math.ceil(45 / 8)); // 3 sample planes of 6 strips
    await source.close();
  });

  it("keeps working with a tiny tileCacheBytes (decoding again instead of holding more)", async () => {
    const bytes = await tiledTiff(1024, 512, 64);
    const counter = countingInflate();
    const source = await TiffImageSource.open(new MemoryByteSource(bytes, "small.ome.tif"), {
      inflate: counter.inflate,
      tileCacheBytes: 16 * 1024,
    });
    const { samples } = await engineRaster(source, [{ scene: 0, t: 0, c: 0, z: 0 }], 256, 20, 2, checkPixels);
    expect(Math.max(...samples.map((s) => s.bytes))).toBeLessThanOrEqual(16 * 1024);
    expect(counter.calls()).toBeGreaterThan(16 * 8);
    await source.close();
  });
});

describe("BlockCache policy", () => {
  const place = (bottom: number, page = 0): BlockPlace => ({ page, bottom, blockRows: 64, rowSamples: 10, bytesPerSample: 1 });
  const block = (value: number) =>
    Promise.resolve(Uint8Array.from({ length: 640 }, (_, i) => (value + Math.floor(i / 10)) & 255) as SampleArray);

  it("trims a carry block to its kept rows when it leaves the recent tier, and serves rows from there on", async () => {
    const cache = new BlockCache(1 * MiB, 0);
    // Before any change of row: half the read + 64 rows (16 MiB of rows is none of these 2 MiB rows).
    expect(cache.beginRead(0, "0:null", 0, 100, 1000, 2 * MiB)).toBe(100 - (50 + 64));
    cache.add("a", block(0), place(64), 48);
    cache.add("b", block(0), place(64), null);
    expect(cache.bytes).toBe(2 * 640);
    cache.beginRead(0, "0:null", 0, 100, 1000, 10); // the same plane again: window 1
    cache.beginRead(0, "0:null", 0, 100, 1000, 10); // "a" and "b" are now two reads old
    await Promise.resolve();
    expect(cache.carryBytes).toBe(16 * 10); // "a": rows 48..63; "b" dropped
    expect(cache.bytes).toBe(16 * 10);
    const hit = cache.get("a", 50, null)!;
    expect(hit.firstRow).toBe(48);
    expect(Array.from((await hit.data).subarray(0, 3 * 10).filter((_, i) => i % 10 === 0))).toEqual([48, 49, 50]);
    expect(cache.get("b", 0, null)).toBeUndefined();
  });

  it("learns the overlap of rows of reads, and drops carry blocks once a row of reads starts below them", async () => {
    const cache = new BlockCache(1 * MiB, 0);
    cache.beginRead(0, "p", 0, 100, 1000, 10);
    cache.add("top", block(0), place(64), 0);
    cache.beginRead(0, "p", 0, 100, 1000, 10);
    cache.beginRead(0, "p", 0, 100, 1000, 10);
    expect(cache.carryBytes).toBe(640);
    expect(cache.beginRead(0, "p", 70, 170, 1000, 10)).toBe(170 - (30 + 8)); // overlap 100 - 70, + 8 rows
    expect(cache.carryBytes).toBe(0); // "top" ends at row 64, above row 70
    expect(cache.beginRead(0, "p", 140, 1000, 1000, 10)).toBeNull(); // reaches the page bottom: nothing to carry
  });

  it("grows carryRows when a trimmed block turns out short", async () => {
    const cache = new BlockCache(1 * MiB, 0);
    cache.beginRead(0, "p", 0, 64, 1000, 10);
    cache.add("a", block(0), place(64), 40);
    cache.beginRead(0, "p", 0, 64, 1000, 10);
    cache.beginRead(0, "p", 0, 64, 1000, 10);
    const before = cache.carryRows(2 * MiB, 64);
    expect(before).toBe(32 + 64);
    expect(cache.get("a", 30, null)).toBeUndefined(); // rows 30.. needed, 40.. kept
    expect(cache.carryRows(2 * MiB, 64)).toBe(before + 10);
    expect(cache.bytes).toBe(0);
  });

  it("keeps the total under the cap, evicting carry blocks first, and always the newest block", async () => {
    const cache = new BlockCache(1500, 0);
    cache.beginRead(0, "p", 0, 64, 1000, 10);
    cache.add("carry", block(0), place(64), 0);
    cache.beginRead(0, "p", 0, 64, 1000, 10);
    cache.beginRead(0, "p", 0, 64, 1000, 10);
    cache.add("x", block(1), place(64), null);
    cache.add("y", block(2), place(64), null);
    expect(cache.bytes).toBe(1280);
    expect(cache.get("carry", 0, null)).toBeUndefined();
    expect(cache.get("x", 0, null)).toBeDefined();
    const big = new BlockCache(100, 0);
    big.add("huge", block(0), place(64), null);
    expect(big.bytes).toBe(640);
    expect(big.get("huge", 0, null)).toBeDefined();
  });

  it("forgets a block whose decoding failed, so the next read tries again", async () => {
    const cache = new BlockCache(1 * MiB, 0);
    cache.beginRead(0, "p", 0, 64, 1000, 10);
    const failed = Promise.reject(new Error("corrupt"));
    cache.add("bad", failed, place(64), null);
    await expect(failed).rejects.toThrow("corrupt");
    await Promise.resolve();
    expect(cache.bytes).toBe(0);
    expect(cache.get("bad", 0, null)).toBeUndefined();
  });
});
