/**
 * Issue 12 points 4, 10 and 13: declared sizes are checked against the file and the limits of
 * `src/io/limits.ts` before anything is allocated. `image-info` on an impossible or absurd
 * header (TIFF 4294967295², BigTIFF 2^40², TileWidth 2^31, SamplesPerPixel 0, a PNG of width 0
 * or 40000² in a few hundred bytes, a Zarr shape of 2^40², 0 or −1, a CZI subblock of
 * X = 2^31−1 in a tiny file) is one line naming the field, exit 2, within seconds. The
 * inputs are generated here (`tiff.ts`, `png.ts`, `zarr.ts`, the CZI test writer).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, it } from "vitest";
import { buildCzi } from "../czi/synthetic-czi.js";
import { czmodel, expectOneLineError, scratchDir } from "../cli/helpers.js";
import { pngDeclaring } from "./png.js";
import { buildTiff, grayTiff, long, short, TAG, withTags } from "./tiff.js";
import { writeZarr } from "./zarr.js";

let work: string;
beforeAll(async () => {
  work = await scratchDir("hostile-sizes-");
});

async function file(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(work, name);
  await writeFile(path, bytes);
  return path;
}

const big = (tag: number, value: number) => ({ tag, type: 16 as const, values: [value] });

describe("image-info refuses impossible declared sizes in one line", () => {
  it.each([
    [
      "TIFF 4294967295² in strips of 16 rows",
      buildTiff(withTags(grayTiff(), long(TAG.ImageWidth, 4294967295), long(TAG.ImageLength, 4294967295))),
      /ImageWidth × RowsPerStrip = 4294967295×16 makes one strip of 68719476720 bytes/,
    ],
    [
      "TIFF 4294967295² in one strip",
      buildTiff(
        withTags(grayTiff(), long(TAG.ImageWidth, 4294967295), long(TAG.ImageLength, 4294967295), long(TAG.RowsPerStrip, 4294967295)),
      ),
      /ImageWidth × RowsPerStrip = 4294967295×4294967295 makes one strip of/,
    ],
    [
      "BigTIFF 2^40²",
      buildTiff({ ...withTags(grayTiff(), big(TAG.ImageWidth, 2 ** 40), big(TAG.ImageLength, 2 ** 40)), bigTiff: true }),
      /page 0: ImageWidth × RowsPerStrip = 1099511627776×16 makes one strip of 17592186044416 bytes/,
    ],
    [
      "TIFF TileWidth 2^31",
      buildTiff(
        withTags(
          grayTiff(),
          long(TAG.TileWidth, 2 ** 31),
          long(TAG.TileLength, 16),
          long(TAG.TileOffsets, 4096),
          long(TAG.TileByteCounts, 256),
        ),
      ),
      /TileWidth × TileLength = 2147483648×16 makes one tile of 34359738368 bytes/,
    ],
    [
      "TIFF 4096×4294967295 with one strip offset",
      buildTiff(withTags(grayTiff(), long(TAG.ImageWidth, 4096), long(TAG.ImageLength, 4294967295))),
      /page 0: StripOffsets has 1 entries but a 4096×4294967295 image needs 268435456/,
    ],
    ["TIFF SamplesPerPixel 0", buildTiff(withTags(grayTiff(), short(TAG.SamplesPerPixel, 0))), /page 0: SamplesPerPixel=0 is impossible/],
    ["PNG of width 0", pngDeclaring({ width: 0, height: 8 }), /PNG size 0×8 is empty/],
    [
      "PNG declaring 40000²",
      pngDeclaring({ width: 40000, height: 40000 }),
      /PNG of 40000×40000 pixels is larger than the limit of 134217728 pixels/,
    ],
  ])("%s", async (name, bytes, message) => {
    const path = await file(`${name.replace(/\W+/g, "-")}.img`, bytes);
    expectOneLineError(await czmodel("image-info", path), [path, message]);
  });

  it.each([
    ["2^40²", [2 ** 40, 2 ** 40], /image width 1099511627776 is impossible \(allowed: 1..2147483647\)/],
    ["2^17 × 2^20", [2 ** 17, 2 ** 20], /image of 1048576×131072 pixels is larger than the limit of 68719476736 pixels a plane/],
    ["0", [0, 8], /image height 0 is impossible/],
    ["-1", [-1, 8], /image height -1 is impossible|cannot/],
  ])("Zarr shape %s (every chunk missing)", async (name, shape, message) => {
    const dir = join(work, `shape${name.replace(/\W+/g, "-")}.zarr`);
    await mkdir(dir);
    await writeZarr(dir, { shape: [8, 8], chunks: [4, 4], compressor: null, zarray: { shape } }, ["0.0", "0.1", "1.0", "1.1"]);
    expectOneLineError(await czmodel("image-info", dir), [dir, message]);
  });

  it("CZI subblocks whose starts span 2^32 (X = -2^31 and X = 2^31-5)", async () => {
    const tile = (x: number) => ({ x, y: 0, width: 4, height: 4, pixelType: 0 as const, data: new Uint8Array(16) });
    const path = await file("span.czi", buildCzi([tile(-(2 ** 31)), tile(2 ** 31 - 5)]));
    expectOneLineError(await czmodel("image-info", path), [path, "image width 4294967295 is impossible (allowed: 1..2147483647)"]);
  });

  it("a CZI subblock of X = 2^31−1 in a tiny file", async () => {
    const bytes = buildCzi([{ x: 0, y: 0, width: 2 ** 31 - 1, height: 4, pixelType: 0, data: new Uint8Array(16) }]);
    const path = await file("wide.czi", bytes);
    expectOneLineError(await czmodel("image-info", path), [
      path,
      /subblock #0: 2147483647×4 uncompressed Gray8 pixels need 8589934588 bytes but the file has \d+ after its position/,
    ]);
  });
});
