/**
 * The band → tile-row assembler shared by the chunked sinks: tile rows come out complete and
 * in order whatever the band heights, and the `ImageSink` band protocol is enforced. Also the
 * benchmark generator that mirror-tiles a small image into a big tiled BigTIFF.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BandTiler, type TileRow } from "../../src/io/band-tiler.js";
import { openImageFile } from "../../src/io/node/open-file.js";
import { makeBigTiffFromImage } from "../../src/io/tiff/node/make-big-tiff.js";
import { tempDir, testdata } from "../helpers/paths.js";
import { python } from "./helpers.js";

const layout = { width: 5, height: 7, samplesPerPixel: 2, sampleType: "uint16" as const, sizes: { scene: 1, t: 1, c: 2, z: 1 } };

function band(c: number, y: number, rows: number): Uint16Array {
  const d = new Uint16Array(rows * 5 * 2);
  for (let r = 0; r < rows; r++)
    for (let x = 0; x < 5; x++) for (let k = 0; k < 2; k++) d[(r * 5 + x) * 2 + k] = c * 1000 + (y + r) * 10 + x + k * 100;
  return d;
}

describe("BandTiler", () => {
  it.each([[1], [2], [3], [7]])("emits complete tile rows of 3 for bands of %i rows", async (bandRows) => {
    const rows: TileRow[] = [];
    const tiler = new BandTiler(layout, 3, async (r) => void rows.push({ ...r, data: r.data.slice() }));
    for (let c = 0; c < 2; c++)
      for (let y = 0; y < 7; y += bandRows)
        await tiler.writeBand({ scene: 0, t: 0, c, z: 0 }, y, Math.min(bandRows, 7 - y), band(c, y, Math.min(bandRows, 7 - y)));
    expect(tiler.complete).toBe(true);
    expect(rows.map((r) => [r.plane.c, r.tileRow, r.y, r.rows])).toEqual([
      [0, 0, 0, 3],
      [0, 1, 3, 3],
      [0, 2, 6, 1],
      [1, 0, 0, 3],
      [1, 1, 3, 3],
      [1, 2, 6, 1],
    ]);
    for (const r of rows) expect(Array.from(r.data)).toEqual(Array.from(band(r.plane.c, r.y, r.rows)));
  });

  it("enforces the band protocol", async () => {
    const tiler = new BandTiler(layout, 3, async () => undefined);
    const where = "ImageSink.writeBand: ";
    await expect(tiler.writeBand({ scene: 0, t: 0, c: 1, z: 0 }, 0, 1, band(1, 0, 1))).rejects.toThrow(
      `${where}band for plane (scene 0, t 0, c 1, z 0) but plane (scene 0, t 0, c 0, z 0) is not complete`,
    );
    await expect(tiler.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 2, 1, band(0, 2, 1))).rejects.toThrow(
      `${where}band starts at row 2, expected row 0`,
    );
    await expect(tiler.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 0, 8, band(0, 0, 8))).rejects.toThrow(
      `${where}band of 8 rows at row 0 does not fit an image of 7 rows`,
    );
    await expect(tiler.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 0, 1, new Uint8Array(10))).rejects.toThrow(
      `${where}band samples are a Uint8Array, expected uint16`,
    );
    await expect(tiler.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 0, 1, new Uint16Array(9))).rejects.toThrow(
      `${where}band has 9 samples, expected 1 × 10`,
    );
  });
});

describe("makeBigTiffFromImage", () => {
  it("mirror-tiles nuclei_0000.png into a tiled BigTIFF that tifffile reads", async () => {
    const dir = await tempDir();
    const out = join(dir, "big.ome.tif");
    await makeBigTiffFromImage(testdata("images", "nuclei_0000.png"), out, { width: 4000, height: 1500, tileSize: 512 });
    const r = await python<{ shape: number[]; dtype: string; tile: number[]; bigtiff: boolean; same: boolean[] }>(
      // biome-ignore lint/complexity/noUselessStringRaw: embedded Python is String.raw in every test, so a backslash added to it later reaches Python as written
      String.raw`
import sys, json, tifffile, numpy as np
t = tifffile.TiffFile(sys.argv[1]); a = t.series[0].asarray(); p = t.pages[0]
print(json.dumps({"shape": list(a.shape), "dtype": str(a.dtype), "tile": [p.tilelength, p.tilewidth], "bigtiff": t.is_bigtiff,
  "same": [bool((a[:1416, :1960] == a[:1416, 3919:1959:-1]).all()), bool((a[1416:1500, :100] == a[1415:1331:-1, :100]).all())]}))
`,
      out,
    );
    expect(r).toEqual({ shape: [1500, 4000], dtype: "uint16", tile: [512, 512], bigtiff: true, same: [true, true] });
    const png = await openImageFile(testdata("images", "nuclei_0000.png"));
    const big = await openImageFile(out);
    const rect = { x: 100, y: 200, width: 300, height: 100 };
    const plane = { scene: 0, t: 0, c: 0, z: 0 };
    expect(Array.from(await big.readRegion(plane, rect))).toEqual(Array.from(await png.readRegion(plane, rect)));
    await big.close();
    await rm(dir, { recursive: true, force: true });
  });
});
