/**
 * The buffer-reuse capabilities (src/io/reuse.ts) give the same bytes as the plain calls:
 * TIFF regions read into a reused buffer (also for deflate tiles through node:zlib with the
 * size hint), file ranges read into a buffer, tiles cut into a reused tile (padding cleared);
 * the sinks that copy their bands say so; and the cap on the decoded-block cache (its policy,
 * which decodes each block of the engine's raster once holding about one block row, is tested
 * in block-cache.test.ts).
 */
import { readFileSync } from "node:fs";
import { deflateSync, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ChunkGrid } from "../../src/io/chunk-grid.js";
import { MemoryImageSink } from "../../src/io/memory/index.js";
import { FileByteSource } from "../../src/bytes/node/file-byte-source.js";
import { openImageFile } from "../../src/io/node/open-file.js";
import { nodeInflate } from "../../src/io/node/zlib-compressor.js";
import { OmeTiffSink } from "../../src/io/tiff/ome-tiff-sink.js";
import { defaultTileCacheBytes, recentFloorBytes, type TiffImageSource } from "../../src/io/tiff/tiff-source.js";
import type { IfdInfo } from "../../src/io/tiff/ifd.js";
import { readsBytesInto, readsRegionsInto, releasesBands } from "../../src/io/reuse.js";
import { MemoryByteSource } from "../../src/bytes/byte-source.js";
import { fixture } from "../helpers/paths.js";

describe("buffer reuse", () => {
  it.each(["tiled_deflate_f32.tif", "ome_tczyx_u16.ome.tif", "bigendian_tiled_deflate_u16.tif", "tiled_deflate_predictor_u16.tif"])(
    "%s: regions read into one reused buffer equal readRegion",
    async (name) => {
      const source = await openImageFile(fixture("io", name));
      try {
        expect(readsRegionsInto(source)).toBe(true);
        const { width, height, sizes } = source.info;
        const plane = { scene: 0, t: sizes.t - 1, c: sizes.c - 1, z: sizes.z - 1 };
        const reused = (await source.readRegion(plane, { x: 0, y: 0, width, height })).slice().fill(0);
        for (const rect of [
          { x: 0, y: 0, width, height },
          { x: 3, y: 5, width: Math.min(40, width - 3), height: Math.min(33, height - 5) },
          { x: width - 1, y: height - 1, width: 1, height: 1 },
        ]) {
          const plain = await source.readRegion(plane, rect);
          const into = await (source as TiffImageSource).readRegionInto(plane, rect, reused);
          expect(into.buffer).toBe(reused.buffer);
          expect(Array.from(into)).toEqual(Array.from(plain));
        }
      } finally {
        await source.close();
      }
    },
  );

  it("refuses a buffer of the wrong sample type, naming both", async () => {
    const source = (await openImageFile(fixture("io", "tiled_deflate_f32.tif"))) as TiffImageSource;
    try {
      await expect(
        source.readRegionInto({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width: 4, height: 4 }, new Uint16Array(16)),
      ).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
        message: expect.stringContaining("16 Uint16Array samples; 16 float32 samples are needed"),
      });
    } finally {
      await source.close();
    }
  });

  it("reads file ranges into a buffer", async () => {
    const path = fixture("io", "tiled_bigtiff_u16.tif");
    const bytes = readFileSync(path);
    const file = await FileByteSource.open(path);
    try {
      expect(readsBytesInto(file)).toBe(true);
      expect(readsBytesInto(new MemoryByteSource(new Uint8Array(4)))).toBe(false);
      const buffer = new Uint8Array(100).fill(9);
      const got = await file.readInto(16, 64, buffer);
      expect(got.buffer).toBe(buffer.buffer);
      expect(Buffer.from(got).equals(bytes.subarray(16, 80))).toBe(true);
      expect(buffer[64]).toBe(9);
      await expect(file.readInto(0, 200, buffer)).rejects.toMatchObject({ code: "INTERNAL" });
    } finally {
      await file.close();
    }
  });

  it("inflates with a size hint to the same bytes, whatever the hint", async () => {
    const raw = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 251));
    const packed = deflateSync(raw);
    for (const hint of [undefined, 100, raw.length, raw.length + 1, 10 * raw.length]) {
      const out = await nodeInflate(packed, hint);
      expect(Buffer.from(out.buffer, out.byteOffset, out.byteLength).equals(inflateSync(packed))).toBe(true);
    }
  });

  it("reuses chunk buffers and clears the padding of edge chunks", async () => {
    const seen: Uint16Array[] = [];
    const grid = new ChunkGrid(
      {
        width: 20,
        height: 16,
        samplesPerPixel: 1,
        sampleType: "uint16",
        sizes: { scene: 1, t: 1, c: 1, z: 1 },
        chunkWidth: 16,
        chunkHeight: 16,
      },
      async (chunks) => {
        for (const c of chunks) seen.push(c.data as Uint16Array);
        seen.push(Uint16Array.from(chunks[0]!.data as Uint16Array)); // a copy: what the sink got
      },
    );
    const p = { scene: 0, t: 0, c: 0, z: 0 };
    await grid.write(p, { x: 0, y: 0, width: 16, height: 16 }, new Uint16Array(256).fill(7));
    await grid.write(p, { x: 16, y: 0, width: 4, height: 16 }, new Uint16Array(64).fill(9));
    expect(seen[2]).toBe(seen[0]); // the first chunk's buffer, reused
    expect(Array.from(seen[3]!.subarray(0, 16))).toEqual([9, 9, 9, 9, ...Array(12).fill(0)]);
  });

  it("sinks that copy their bands say so", () => {
    const target = { name: "x", write: async () => undefined, commit: async () => undefined, abort: async () => undefined };
    expect(releasesBands(new OmeTiffSink(target as never))).toBe(true);
    expect(releasesBands(new MemoryImageSink())).toBe(true);
    expect(
      releasesBands({
        begin: async () => undefined,
        writeBand: async () => undefined,
        finish: async () => undefined,
        abort: async () => undefined,
      }),
    ).toBe(false);
  });

  it("caps the block cache at 64 MiB + 2 rows of blocks of the widest page (at most 512 MiB)", () => {
    const page = (width: number, tile: number, planar = 1, samplesPerPixel = 1) =>
      ({ width, blockWidth: tile, blockHeight: tile, planar, samplesPerPixel }) as IfdInfo;
    const MiB = 1024 * 1024;
    expect(defaultTileCacheBytes([page(8192, 512)], "uint16")).toBe(80 * MiB);
    expect(defaultTileCacheBytes([page(32768, 512)], "uint16")).toBe(128 * MiB);
    expect(defaultTileCacheBytes([page(1000, 512), page(65536, 512)], "uint16")).toBe(192 * MiB);
    expect(defaultTileCacheBytes([page(300_000, 512, 1, 3)], "float32")).toBe(512 * MiB);
    expect(recentFloorBytes([page(32768, 512)], "uint16")).toBe(8 * MiB);
    expect(recentFloorBytes([page(300_000, 512, 1, 3)], "float32")).toBe(16 * MiB);
  });
});
