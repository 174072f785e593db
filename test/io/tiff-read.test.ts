/**
 * Our TIFF reader against files written by independent tools (tifffile, libtiff's tiffcp; see
 * scripts/fixtures/io_images.py): every value of every plane and scene equals what numpy
 * wrote, and sizes, sample type, OME axes, physical sizes and channel names match.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BlobByteSource, MemoryByteSource, type ByteSource } from "../../src/bytes/byte-source.js";
import { openImageFile } from "../../src/io/node/open-file.js";
import { openTiff } from "../../src/io/tiff/tiff-source.js";
import { fixture } from "../helpers/paths.js";
import { expected, expectedNames, firstDifference, readScene } from "./helpers.js";

const tiffNames = expectedNames.filter((n) => n.endsWith(".tif"));

describe("TIFF reader reads what tifffile / tiffcp wrote", () => {
  it("has the fixtures", () => {
    expect(tiffNames.length).toBeGreaterThanOrEqual(18);
  });

  it.each(tiffNames)("%s", async (name) => {
    const exp = expected(name);
    const source = await openImageFile(fixture("io", name));
    try {
      const info = source.info;
      expect(info.sizes.scene).toBe(exp.scenes.length);
      expect(info.sampleType).toBe(exp.dtype);
      exp.scenes.forEach((scene, s) => {
        const [T, C, Z, Y, X, S] = scene.shape;
        expect(info.sizes).toMatchObject({ t: T, c: C, z: Z });
        expect(info.scenes[s]).toMatchObject({ width: X, height: Y });
        expect(info.samplesPerPixel).toBe(S);
      });
      expect(info.format).toBe(name.includes(".ome.") ? "ome-tiff" : "tiff");
      if (exp.physicalSize) {
        for (const axis of ["x", "y", "z"] as const) {
          if (exp.physicalSize[axis] === undefined) expect(info.physicalSize?.[axis]).toBeUndefined();
          else expect(info.physicalSize?.[axis]).toBeCloseTo(exp.physicalSize[axis]!, 15);
        }
      }
      if (exp.channelNames) expect(info.channelNames).toEqual(exp.channelNames);
      if (exp.sceneNames) expect(info.scenes.map((s) => s.name)).toEqual(exp.sceneNames);
      if (exp.dimensionOrder) expect(info.details?.dimensionOrder).toBe(exp.dimensionOrder);
      for (let s = 0; s < exp.scenes.length; s++) {
        const got = await readScene(source, s);
        expect(firstDifference(got, exp.scenes[s]!.data, exp.tolerance ?? 0)).toBe(-1);
      }
    } finally {
      await source.close();
    }
  });
});

describe("TIFF regions", () => {
  it("reads odd rectangles across tile borders exactly (tiled BigTIFF, and OME planes)", async () => {
    for (const name of [
      "tiled_bigtiff_u16.tif",
      "tiled_deflate_predictor_u16.tif",
      "ome_tczyx_u16.ome.tif",
      "planar_rgb_u16.tif",
      "stripped_rgb_u8.tif",
    ]) {
      const exp = expected(name).scenes[0]!;
      const [T, C, Z, Y, X, S] = exp.shape;
      const source = await openImageFile(fixture("io", name));
      const rects = [
        { x: 0, y: 0, width: 1, height: 1 },
        { x: X - 1, y: Y - 1, width: 1, height: 1 },
        { x: 13, y: 7, width: Math.min(101, X - 13), height: Math.min(77, Y - 7) },
        { x: 31, y: 29, width: 3, height: Y - 29 },
      ];
      for (const rect of rects) {
        const plane = { scene: 0, t: T - 1, c: C - 1, z: Z - 1 };
        const got = await source.readRegion(plane, rect);
        const want: number[] = [];
        const base = ((plane.t * C + plane.c) * Z + plane.z) * Y * X * S;
        for (let y = rect.y; y < rect.y + rect.height; y++)
          for (let x = rect.x; x < rect.x + rect.width; x++) for (let s = 0; s < S; s++) want.push(exp.data[base + (y * X + x) * S + s]!);
        expect(firstDifference(got, want), `${name} ${JSON.stringify(rect)}`).toBe(-1);
      }
      await source.close();
    }
  });

  it("reads only the tiles a region touches", async () => {
    const bytes = readFileSync(fixture("io", "tiled_bigtiff_u16.tif"));
    let read = 0;
    const inner = new MemoryByteSource(bytes, "counted.tif");
    const counted: ByteSource = {
      size: inner.size,
      name: inner.name,
      read: (o, n) => {
        read += n;
        return inner.read(o, n);
      },
      close: () => inner.close(),
    };
    const source = await openTiff(counted);
    const afterOpen = read;
    await source.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 70, y: 70, width: 50, height: 50 });
    // One 64×64 uint16 tile covers x,y 64..127; being uncompressed, only its rows 6..55 are
    // read (50 rows × 64 pixels × 2 bytes). The file is 160 KiB.
    expect(read - afterOpen).toBe(50 * 64 * 2);
    expect(afterOpen).toBeLessThan(16 * 1024);
  });

  it("works on a browser Blob", async () => {
    const bytes = readFileSync(fixture("io", "ome_tczyx_u16.ome.tif"));
    const source = await openTiff(new BlobByteSource(new Blob([bytes]), "blob.ome.tif"));
    const exp = expected("ome_tczyx_u16.ome.tif").scenes[0]!;
    expect(firstDifference(await readScene(source, 0), exp.data)).toBe(-1);
  });

  it("rejects a region outside the plane and a plane outside the image", async () => {
    const source = await openImageFile(fixture("io", "tiled_bigtiff_u16.tif"));
    const where = fixture("io", "tiled_bigtiff_u16.tif");
    await expect(source.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 290, y: 0, width: 20, height: 5 })).rejects.toThrow(
      `${where}: region x=290 y=0 20×5 is outside the 300×200 plane`,
    );
    await expect(source.readRegion({ scene: 0, t: 0, c: 1, z: 0 }, { x: 0, y: 0, width: 1, height: 1 })).rejects.toThrow(
      `${where}: plane (scene 0, t 0, c 1, z 0) is outside the image (scenes 1, T 1, C 1, Z 1)`,
    );
    await source.close();
  });
});

describe("TIFF errors", () => {
  it("names the unsupported sample format (complex64)", async () => {
    const path = fixture("io", "unsupported_complex64.tif");
    const err = await openImageFile(path).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "UNSUPPORTED" });
    expect((err as Error).message).toBe(
      `${path}: page 0: unsupported TIFF sample format: SampleFormat=6 (complex floating point), BitsPerSample=64 (allowed: unsigned or signed integers of 8, 16 or 32 bits, floats of 32 or 64 bits)`,
    );
  });

  it("names the unsupported bit depth (1-bit bilevel)", async () => {
    const path = fixture("io", "unsupported_1bit.tif");
    await expect(openImageFile(path)).rejects.toThrow(
      `${path}: page 0: unsupported TIFF sample format: SampleFormat=1 (unsigned integer), BitsPerSample=1 (allowed: unsigned or signed integers of 8, 16 or 32 bits, floats of 32 or 64 bits)`,
    );
  });

  it("names an unsupported compression (JPEG 2000)", async () => {
    // Patch the Compression tag (259) of a classic little-endian TIFF to 34712.
    const bytes = new Uint8Array(readFileSync(fixture("io", "stripped_packbits_u8.tif")));
    const view = new DataView(bytes.buffer);
    const ifd = view.getUint32(4, true);
    for (let i = 0; i < view.getUint16(ifd, true); i++) {
      const at = ifd + 2 + i * 12;
      if (view.getUint16(at, true) === 259) view.setUint16(at + 8, 34712, true);
    }
    await expect(openTiff(new MemoryByteSource(bytes, "j2k.tif"))).rejects.toThrow(
      "j2k.tif: page 0: unsupported TIFF compression 34712 (allowed: none (1), LZW (5), JPEG (7), deflate (8, 32946), PackBits (32773), zstd (50000), WebP (50001))",
    );
  });

  it("says a file cut inside the tile data is truncated", async () => {
    const bytes = readFileSync(fixture("io", "tiled_bigtiff_u16.tif"));
    const cut = new MemoryByteSource(bytes.subarray(0, 40000), "cut.tif");
    const err = await openTiff(cut).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "INVALID_IMAGE" });
    expect((err as Error).message).toBe(
      "cut.tif: file is truncated: tile 4 of page 0 needs bytes 33296..41488 but the file has only 40000",
    );
  });

  it("says a file cut inside the header or directory is truncated", async () => {
    const bytes = readFileSync(fixture("io", "tiled_bigtiff_u16.tif"));
    await expect(openTiff(new MemoryByteSource(bytes.subarray(0, 100), "cut.tif"))).rejects.toThrow(
      "cut.tif: file is truncated: the TIFF directory runs past the end of the file (100 bytes)",
    );
    await expect(openTiff(new MemoryByteSource(bytes.subarray(0, 10), "cut.tif"))).rejects.toThrow("cut.tif: file is truncated");
  });
});
