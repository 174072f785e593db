/**
 * Pyramidal OME-TIFF outputs (`OmeTiffSink` `pyramid`, SubIFDs): tifffile reads every level of
 * `series[0].levels`; each level equals numpy's downsampling of the level above by the documented
 * rule (`src/io/pyramid.ts`: the mean of each 2×2 block, fewer pixels at an odd edge, integers
 * rounded half up, floats to float32; labels keep the top-left pixel); reduced pages are SubIFDs
 * with NewSubfileType 1, tiled and compressed like the full resolution, outside the main IFD
 * chain. Our reader still reads the full resolution. The 4096 px default is checked on the
 * option rule and on thin images, never on a huge one.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { encode } from "fast-png";
import { describe, expect, it } from "vitest";
import { pyramidForOutput } from "../../src/io/node/create-sink.js";
import { PYRAMID_AUTO_SIDE, pyramidLevelsFor } from "../../src/io/pyramid.js";
import { czmodel, expectOneLineError, scratchDir } from "../cli/helpers.js";
import { testdata } from "../helpers/paths.js";
import { python } from "./helpers.js";
import { expectLevelsAndExactPng, FIRST_MISMATCHING_LEVEL, writeFloatStackAndRgb } from "./pyramid-helpers.js";

/** Reads an OME-TIFF's levels with tifffile, checks each against numpy's downsampling of the one above, and reports the tags of the pages. */
const CHECK_TIFF_LEVELS = `
import sys, json, numpy, tifffile
path, rule = sys.argv[1], sys.argv[2]
with tifffile.TiffFile(path) as tif:
    series = tif.series[0]
    levels = [numpy.asarray(l.asarray()) for l in series.levels]
    mains = len(tif.pages)
    page0 = tif.pages[0]
    def sub(i, o):
        tif.filehandle.seek(o)
        return tifffile.TiffPage(tif, index=(0, i))
    subs = [sub(i, o) for i, o in enumerate(page0.tags["SubIFDs"].value)] if "SubIFDs" in page0.tags else []
    tags = [{"subfile": int(p.tags["NewSubfileType"].value), "tiled": p.is_tiled, "tile": [p.tilewidth, p.tilelength],
             "compression": int(p.compression), "shape": list(p.shape)} for p in [page0] + subs]
    subifd_counts = [len(p.subifds or ()) for p in tif.pages]
    ome = tif.is_ome
${FIRST_MISMATCHING_LEVEL}
print(json.dumps({"shapes": [list(a.shape) for a in levels], "dtypes": [str(a.dtype) for a in levels], "mismatch": bad,
  "mainPages": mains, "subIfdCounts": sorted(set(subifd_counts)), "pages": tags, "ome": ome}))
`;

interface TiffLevels {
  shapes: number[][];
  dtypes: string[];
  mismatch: number | null;
  mainPages: number;
  subIfdCounts: number[];
  pages: { subfile: number; tiled: boolean; tile: number[]; compression: number; shape: number[] }[];
  ome: boolean;
}

describe("pyramid default (auto)", () => {
  it("is on only over 4096 px per side, and never for PNG", () => {
    expect(PYRAMID_AUTO_SIDE).toBe(4096);
    expect(pyramidLevelsFor("auto", 4096, 4096)).toBe(1);
    expect(pyramidLevelsFor("auto", 4097, 16)).toBe(4);
    expect(pyramidLevelsFor("auto", 16, 4097)).toBe(4);
    expect(pyramidLevelsFor("auto", 16384, 16384)).toBe(5);
    expect(pyramidLevelsFor(true, 2048, 2048)).toBe(2);
    expect(pyramidLevelsFor(false, 16384, 16384)).toBe(1);
    expect(pyramidForOutput("a.ome.tif", "auto")).toBe("auto");
    expect(pyramidForOutput("a.ome.zarr", "auto")).toBe("auto");
    expect(pyramidForOutput("a.png", "auto")).toBe(false);
    expect(() => pyramidForOutput("a.png", true)).toThrow(/pyramids are written to OME-TIFF and OME-Zarr outputs only/);
  });
});

describe("image-convert to a pyramidal OME-TIFF", () => {
  it("uint16 grey, odd sizes: SubIFD levels are the 2x2 means of the level above; our reader reads level 0", async () => {
    const dir = await scratchDir();
    const width = 2501;
    const height = 1299;
    const data = new Uint16Array(width * height).map((_, i) => (i * 2654435761) & 0xffff);
    writeFileSync(join(dir, "in.png"), encode({ width, height, data, depth: 16, channels: 1 }));
    const out = join(dir, "p.ome.tif");
    const r = await czmodel("image-convert", join(dir, "in.png"), out, "--pyramid", "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ levels: 3 });
    const got = await python<TiffLevels>(CHECK_TIFF_LEVELS, out, "mean");
    expect(got.ome).toBe(true);
    expect(got.shapes).toEqual([
      [1299, 2501],
      [650, 1251],
      [325, 626],
    ]);
    expect(got.mismatch).toBeNull();
    expect(got.mainPages).toBe(1);
    expect(got.subIfdCounts).toEqual([2]);
    const [base, ...subs] = got.pages;
    expect(base).toMatchObject({ subfile: 0, tiled: true, compression: 8 });
    for (const p of subs) expect(p).toMatchObject({ subfile: 1, tiled: true, tile: base!.tile, compression: 8 });
    expect(subs.map((p) => p.shape)).toEqual([
      [650, 1251],
      [325, 626],
    ]);
    await expectLevelsAndExactPng(out, dir, { width, height }, data);
  });

  it("float32 Z stack and RGB uint8: every plane and channel has its levels", async () => {
    const dir = await scratchDir();
    const inputs = await writeFloatStackAndRgb(dir);
    const f = join(dir, "f.ome.tif");
    expect((await czmodel("image-convert", inputs.floats, f, "--pyramid")).status).toBe(0);
    const fl = await python<TiffLevels>(CHECK_TIFF_LEVELS, f, "mean");
    expect(fl.shapes).toEqual([
      [2, 1100, 1500],
      [2, 550, 750],
    ]);
    expect(fl.dtypes).toEqual(["float32", "float32"]);
    expect(fl.mismatch).toBeNull();
    expect(fl.mainPages).toBe(2);
    expect(fl.subIfdCounts).toEqual([1]);
    expect(fl.pages[1]).toMatchObject({ subfile: 1, compression: 1 }); // float32 stored raw, as the base level
    const rgb = join(dir, "rgb.ome.tif");
    expect((await czmodel("image-convert", inputs.rgb, rgb, "--pyramid")).status).toBe(0);
    const rl = await python<TiffLevels>(CHECK_TIFF_LEVELS, rgb, "mean");
    expect(rl.shapes).toEqual([
      [3, 1030, 1027],
      [3, 515, 514],
    ]);
    expect(rl.mismatch).toBeNull();
  });

  it("by default only over 4096 px per side; --no-pyramid turns it off; PNG refuses --pyramid", async () => {
    const dir = await scratchDir();
    const data = new Uint8Array(4097 * 6).map((_, i) => i % 251);
    writeFileSync(join(dir, "wide.png"), encode({ width: 4097, height: 6, data, depth: 8, channels: 1 }));
    writeFileSync(join(dir, "edge.png"), encode({ width: 4096, height: 6, data: data.subarray(0, 4096 * 6), depth: 8, channels: 1 }));
    const wide = join(dir, "wide.ome.tif");
    expect((await czmodel("image-convert", join(dir, "wide.png"), wide)).status).toBe(0);
    const w = await python<TiffLevels>(CHECK_TIFF_LEVELS, wide, "mean");
    expect(w.shapes).toEqual([
      [6, 4097],
      [3, 2049],
      [2, 1025],
      [1, 513],
    ]);
    expect(w.mismatch).toBeNull();
    for (const [input, flag] of [
      ["edge.png", undefined],
      ["wide.png", "--no-pyramid"],
    ] as const) {
      const out = join(dir, `${input}-${flag ?? "default"}.ome.tif`);
      expect((await czmodel("image-convert", join(dir, input), out, ...(flag ? [flag] : []))).status).toBe(0);
      const got = await python<TiffLevels>(CHECK_TIFF_LEVELS, out, "mean");
      expect(got.shapes.length).toBe(1);
      expect(got.subIfdCounts).toEqual([0]);
    }
    expectOneLineError(await czmodel("image-convert", join(dir, "edge.png"), join(dir, "o.png"), "--pyramid"), [
      /pyramids are written to OME-TIFF and OME-Zarr outputs only/,
    ]);
  });
});

describe("predict to a pyramidal OME-TIFF", () => {
  const model = testdata("models", "simple_nuclei_segmodel.czann");

  it("--pyramid: labels keep the top-left pixel, probabilities are averaged", async () => {
    const dir = await scratchDir();
    const labels = join(dir, "labels.ome.tif");
    const r = await czmodel(
      "predict",
      model,
      testdata("images", "nuclei_0000.png"),
      "-o",
      labels,
      "--output",
      "both",
      "--pyramid",
      "--quiet",
    );
    expect(r.status, r.stderr).toBe(0);
    const l = await python<TiffLevels>(CHECK_TIFF_LEVELS, labels, "top-left");
    expect(l.shapes).toEqual([
      [1416, 1960],
      [708, 980],
    ]);
    expect(l.mismatch).toBeNull();
    expect(l.pages.map((p) => [p.subfile, p.compression])).toEqual([
      [0, 8],
      [1, 8],
    ]);
    const p = await python<TiffLevels>(CHECK_TIFF_LEVELS, join(dir, "labels.probabilities.ome.tif"), "mean");
    expect(p.dtypes).toEqual(["float32", "float32"]);
    expect(p.shapes[1]!.slice(-2)).toEqual([708, 980]);
    expect(p.mainPages).toBe(p.shapes[0]![0]);
    expect(p.mismatch).toBeNull();
  });

  it("default: a pyramid over 4096 px per side only, none with --no-pyramid, --pyramid refused for PNG", async () => {
    const dir = await scratchDir();
    const data = new Uint8Array(4100 * 40).map((_, i) => ((i % 4100) * 7 + Math.floor(i / 4100) * 13) % 256);
    writeFileSync(join(dir, "wide.png"), encode({ width: 4100, height: 40, data, depth: 8, channels: 1 }));
    const image = join(dir, "wide.png");
    const on = join(dir, "on.ome.tif");
    expect((await czmodel("predict", model, image, "-o", on, "--quiet")).status).toBe(0);
    const got = await python<TiffLevels>(CHECK_TIFF_LEVELS, on, "top-left");
    expect(got.shapes).toEqual([
      [40, 4100],
      [20, 2050],
      [10, 1025],
      [5, 513],
    ]);
    expect(got.mismatch).toBeNull();
    const off = join(dir, "off.ome.tif");
    expect((await czmodel("predict", model, image, "-o", off, "--quiet", "--no-pyramid")).status).toBe(0);
    expect((await python<TiffLevels>(CHECK_TIFF_LEVELS, off, "top-left")).shapes.length).toBe(1);
    expect((await czmodel("predict", model, image, "-o", join(dir, "wide-labels.png"), "--quiet")).status).toBe(0);
    expectOneLineError(await czmodel("predict", model, image, "-o", join(dir, "x.png"), "--pyramid"), [
      /pyramids are written to OME-TIFF and OME-Zarr outputs only/,
    ]);
  });
});
