/**
 * ChunkGrid: rectangles in, complete zero-padded chunks out (once each), bounded pending
 * chunks for a raster writer, and one-line errors for broken writes.
 */
import { describe, expect, it } from "vitest";
import { autoChunkSize, chunkSample, ChunkGrid, type Chunk } from "../../src/io/chunk-grid.js";
import { rejectionOf as errorOf } from "../helpers/errors.js";

const P0 = { scene: 0, t: 0, c: 0, z: 0 };

function grid(width: number, height: number, chunk: number, K = 1, sizes = { scene: 1, t: 1, c: 1, z: 1 }) {
  const out: Chunk[] = [];
  const g = new ChunkGrid(
    { width, height, samplesPerPixel: K, sampleType: "uint16", sizes, chunkWidth: chunk, chunkHeight: chunk },
    async (chunks) => {
      for (const c of chunks) out.push({ ...c, data: c.data.slice() });
    },
  );
  return { g, out };
}

/** Rectangle of the image whose pixel (x, y) sample k is x * 1000 + y * 10 + k. */
function rect(x: number, y: number, w: number, h: number, K = 1): Uint16Array {
  const d = new Uint16Array(w * h * K);
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++) for (let k = 0; k < K; k++) d[(r * w + c) * K + k] = (x + c) * 1000 + (y + r) * 10 + k;
  return d;
}

describe("ChunkGrid", () => {
  it("hands on each chunk once, when complete, zero-padded past the edge", async () => {
    const { g, out } = grid(50, 30, 16, 2);
    // Three rectangles that cut across chunk borders, out of order.
    await g.write(P0, { x: 20, y: 0, width: 30, height: 30 }, rect(20, 0, 30, 30, 2));
    expect(out.map((c) => [c.cx, c.cy])).toEqual([
      [2, 0],
      [3, 0],
      [2, 1],
      [3, 1],
    ]); // x 32..50: wholly inside
    await g.write(P0, { x: 0, y: 17, width: 20, height: 13 }, rect(0, 17, 20, 13, 2));
    expect(out).toHaveLength(4);
    expect(g.complete).toBe(false);
    expect(g.describeProgress()).toBe("4 of 8 chunks, the first in plane 1 of 1 (scene 0, t 0, c 0, z 0) at x 0, y 0");
    await g.write(P0, { x: 0, y: 0, width: 20, height: 17 }, rect(0, 0, 20, 17, 2));
    expect(g.complete).toBe(true);
    expect(g.pendingChunks).toBe(0);
    expect(out).toHaveLength(8);
    const c11 = out.find((c) => c.cx === 1 && c.cy === 1)!; // x 16..32, y 16..30 (2 rows of padding)
    expect(c11.data[(0 * 16 + 0) * 2]).toBe(16 * 1000 + 16 * 10);
    expect(c11.data[(13 * 16 + 15) * 2 + 1]).toBe(31 * 1000 + 29 * 10 + 1);
    expect([...c11.data.subarray(14 * 16 * 2)].every((v) => v === 0)).toBe(true);
    const c30 = out.find((c) => c.cx === 3 && c.cy === 0)!; // x 48..50: 14 columns of padding
    expect(c30.data[(5 * 16 + 1) * 2]).toBe(49 * 1000 + 5 * 10);
    expect(c30.data[(5 * 16 + 2) * 2]).toBe(0);
  });

  it("holds about one row of chunks when written tile row by tile row, left to right", async () => {
    const W = 1000;
    const { g, out } = grid(W, 600, 64);
    let most = 0;
    // 'Model tiles' of 90×110 (not aligned to the chunks).
    for (let y = 0; y < 600; y += 110)
      for (let x = 0; x < W; x += 90) {
        const w = Math.min(90, W - x);
        const h = Math.min(110, 600 - y);
        await g.write(P0, { x, y, width: w, height: h }, rect(x, y, w, h));
        most = Math.max(most, g.pendingChunks);
      }
    expect(g.complete).toBe(true);
    expect(out).toHaveLength(16 * 10);
    expect(most).toBeLessThanOrEqual(16 + 2 * 2); // one row across + the chunks under the current tile
  });

  it("rejects overlaps, rectangles outside the plane, wrong planes, lengths and types", async () => {
    const { g } = grid(40, 40, 16);
    await g.write(P0, { x: 0, y: 0, width: 10, height: 10 }, rect(0, 0, 10, 10));
    expect((await errorOf(g.write(P0, { x: 5, y: 5, width: 3, height: 3 }, rect(5, 5, 3, 3)))).message).toBe(
      "ImageSink.writeTile: rectangle 3x3 at (5, 5) of plane (scene 0, t 0, c 0, z 0) overlaps pixels already written (chunk at x 0, y 0)",
    );
    await g.write(P0, { x: 32, y: 32, width: 8, height: 8 }, rect(32, 32, 8, 8)); // completes chunk (2, 2)
    expect((await errorOf(g.write(P0, { x: 39, y: 39, width: 1, height: 1 }, rect(39, 39, 1, 1)))).message).toMatch(
      /overlaps pixels already written \(chunk at x 32, y 32\)$/,
    );
    expect((await errorOf(g.write(P0, { x: 35, y: 0, width: 6, height: 1 }, rect(35, 0, 6, 1)))).message).toBe(
      "ImageSink.writeTile: rectangle 6x1 at (35, 0) is not inside the 40x40 output",
    );
    expect((await errorOf(g.write({ ...P0, z: 1 }, { x: 0, y: 20, width: 1, height: 1 }, rect(0, 20, 1, 1)))).message).toBe(
      "ImageSink.writeTile: plane z 1 is outside the output (z has 1) (allowed: 0 to 0)",
    );
    expect((await errorOf(g.write(P0, { x: 0, y: 20, width: 2, height: 1 }, rect(0, 20, 1, 1)))).message).toBe(
      "ImageSink.writeTile: rectangle has 1 samples, expected 2 × 1 × 1",
    );
    expect((await errorOf(g.write(P0, { x: 0, y: 20, width: 1, height: 1 }, new Uint8Array(1)))).message).toBe(
      "ImageSink.writeTile: samples are a Uint8Array, expected uint16",
    );
  });

  it("splits interleaved samples for planar formats", () => {
    expect([...chunkSample(new Float32Array([1, 2, 3, 4, 5, 6]), 3, 1)]).toEqual([2, 5]);
  });

  it("picks 512² chunks unless one row across would exceed 32 MiB, down to 128²", () => {
    expect(autoChunkSize(32768, 1)).toBe(512); // labels: 16 MiB per row of chunks
    expect(autoChunkSize(32768, 2)).toBe(512); // uint16 labels: 32 MiB
    expect(autoChunkSize(32768, 8)).toBe(128); // 2-class float32 probabilities: 32 MiB at 128
    expect(autoChunkSize(16384, 8)).toBe(256);
    expect(autoChunkSize(4096, 8)).toBe(512);
    expect(autoChunkSize(1 << 20, 16)).toBe(128); // never below 128
  });
});
