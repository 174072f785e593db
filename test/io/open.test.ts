/**
 * Format detection by content (never by name) and the Node entry `openImageFile`: PNG, TIFF,
 * BigTIFF, CZI and OME-Zarr folders open with the right reader; anything else is a one-line
 * error naming the file and what is supported.
 */
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MemoryByteSource } from "../../src/bytes/byte-source.js";
import { openImageFile } from "../../src/io/node/open-file.js";
import { detectFormat, openImageSource } from "../../src/io/open.js";
import { fixture, tempDir, testdata } from "../helpers/paths.js";

const bytes = (...b: number[]) => new Uint8Array(b);

describe("detectFormat", () => {
  it("recognises signatures", () => {
    expect(detectFormat(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBe("png");
    expect(detectFormat(bytes(0x49, 0x49, 42, 0))).toBe("tiff");
    expect(detectFormat(bytes(0x4d, 0x4d, 0, 42))).toBe("tiff");
    expect(detectFormat(bytes(0x49, 0x49, 43, 0, 8, 0))).toBe("tiff");
    expect(detectFormat(new TextEncoder().encode("ZISRAWFILE\0\0\0\0\0\0"))).toBe("czi");
    expect(detectFormat(new TextEncoder().encode('<?xml version="1.0"'))).toBe("ome-xml"); // a companion .ome
    expect(detectFormat(new TextEncoder().encode("\uFEFF\n  <OME xmlns="))).toBe("ome-xml");
    expect(detectFormat(bytes(0xff, 0xd8, 0xff))).toBe("unknown");
    expect(detectFormat(bytes())).toBe("unknown");
  });
});

describe("openImageFile", () => {
  it("opens by content whatever the file is called", async () => {
    const dir = await tempDir();
    const cases: [string, string][] = [
      [testdata("images", "nuclei_0000_labels.png"), "png"],
      [fixture("io", "tiled_bigtiff_u16.tif"), "tiff"],
      [fixture("io", "ome_tczyx_u16.ome.tif"), "ome-tiff"],
    ];
    for (const [path, format] of cases) {
      const renamed = join(dir, `image-${format}.dat`);
      await copyFile(path, renamed);
      const source = await openImageFile(renamed);
      expect(source.info.format).toBe(format);
      await source.close();
    }
  });

  it("opens CZI through the CZI reader", async () => {
    const source = await openImageFile(testdata("czi", "100x100.czi"));
    expect(source.info.format).toBe("czi");
    expect(source.info).toMatchObject({ width: 10, height: 10, sampleType: "uint8" }); // stored 10×10 px (docs/czi.md#sample-files)
    await source.close();
  });

  it("opens an OME-Zarr folder (v2 and v3)", async () => {
    for (const name of ["ngff04_czyx_u16.ome.zarr", "ngff05_zyx_f32.ome.zarr"]) {
      const source = await openImageFile(fixture("io", name));
      expect(source.info.format).toBe("ome-zarr");
    }
  });

  it("rejects what it cannot read with one-line errors", async () => {
    const dir = await tempDir();
    const jpeg = join(dir, "photo.tif");
    await writeFile(jpeg, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]));
    await expect(openImageFile(jpeg)).rejects.toThrow(
      `${jpeg}: not a recognised image format (starts with bytes ff d8 ff e0 00 10 4a 46) (allowed: PNG, TIFF / BigTIFF / OME-TIFF, CZI, OME-Zarr folder (Zarr v2 or v3))`,
    );
    const empty = join(dir, "empty.png");
    await writeFile(empty, "");
    await expect(openImageFile(empty)).rejects.toThrow(`${empty}: file is empty`);
    await expect(openImageFile(join(dir, "missing.png"))).rejects.toThrow(`${join(dir, "missing.png")}: file not found`);
    const folder = join(dir, "folder");
    await mkdir(folder);
    await expect(openImageFile(folder)).rejects.toThrow(
      `${folder}: folder is not a Zarr store (no .zattrs, .zgroup or zarr.json) (allowed: PNG, TIFF / BigTIFF / OME-TIFF, CZI, OME-Zarr folder (Zarr v2 or v3))`,
    );
  });

  it("openImageSource closes the byte source when opening fails", async () => {
    let closed = 0;
    const inner = new MemoryByteSource(bytes(0x49, 0x49, 42, 0, 200, 0, 0, 0), "bad.tif");
    const source = { size: inner.size, name: inner.name, read: inner.read.bind(inner), close: async () => void closed++ };
    await expect(openImageSource(source)).rejects.toThrow("bad.tif: file is truncated");
    expect(closed).toBe(1);
  });
});
