/**
 * Multiscale OME-Zarr outputs (`src/io/pyramid.ts`, `OmeZarrSink` `pyramid`): zarr reads
 * every level, the multiscales list them with 2^l scales, and each level equals numpy's
 * downsampling of the level above by the documented rule — the mean of each 2×2 block (fewer
 * pixels at an odd edge; integers rounded half up, floats to float32) for images, the top-left
 * pixel for labels. Inputs are made at test time (fast-png, tifffile); odd sizes on purpose.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { encode } from "fast-png";
import { describe, expect, it } from "vitest";
import { pyramidLevelCount } from "../../src/io/pyramid.js";
import { FolderTarget } from "../../src/io/zarr/node/folder-target.js";
import { OmeZarrSink } from "../../src/io/zarr/zarr-sink.js";
import { czmodel, expectOneLineError, scratchDir } from "../cli/helpers.js";
import { testdata } from "../helpers/paths.js";
import { python } from "./helpers.js";
import { expectLevelsAndExactPng, FIRST_MISMATCHING_LEVEL, writeFloatStackAndRgb } from "./pyramid-helpers.js";

/** Checks every level of a multiscale OME-Zarr against numpy; prints the level shapes, scales and the first mismatch. */
const CHECK_LEVELS = `
import sys, json, numpy, zarr
path, rule = sys.argv[1], sys.argv[2]
g = zarr.open_group(path, mode="r")
ms = g.attrs["multiscales"][0]["datasets"]
levels = [numpy.asarray(g[d["path"]][:]) for d in ms]
${FIRST_MISMATCHING_LEVEL}
print(json.dumps({"shapes": [list(a.shape) for a in levels], "dtypes": [str(a.dtype) for a in levels],
  "scales": [d["coordinateTransformations"][0]["scale"] for d in ms], "paths": [d["path"] for d in ms], "mismatch": bad}))
`;

interface Levels {
  shapes: number[][];
  dtypes: string[];
  scales: number[][];
  paths: string[];
  mismatch: number | null;
}

describe("pyramid level count", () => {
  it.each([
    [1024, 1024, 1],
    [1025, 10, 2],
    [32768, 32768, 6],
    [2500, 1300, 3],
  ])("%i x %i → %i levels", (w, h, n) => {
    expect(pyramidLevelCount(w, h)).toBe(n);
  });
});

describe("image-convert --pyramid", () => {
  it("uint16 grey: every level is the 2x2 mean of the one above (rounded half up)", async () => {
    const dir = await scratchDir();
    const width = 2501;
    const height = 1299;
    const data = new Uint16Array(width * height).map((_, i) => (i * 2654435761) & 0xffff);
    writeFileSync(join(dir, "in.png"), encode({ width, height, data, depth: 16, channels: 1 }));
    const out = join(dir, "p.ome.zarr");
    const r = await czmodel("image-convert", join(dir, "in.png"), out, "--pyramid", "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ levels: 3 });
    const got = await python<Levels>(CHECK_LEVELS, out, "mean");
    expect(got.shapes).toEqual([
      [1, 1, 1, 1299, 2501],
      [1, 1, 1, 650, 1251],
      [1, 1, 1, 325, 626],
    ]);
    expect(got.paths).toEqual(["0", "1", "2"]);
    expect(got.scales.map((s) => s.slice(3))).toEqual([
      [1, 1],
      [2, 2],
      [4, 4],
    ]);
    expect(got.mismatch).toBeNull();
    // our own reader sees the levels and reads full resolution back exactly
    await expectLevelsAndExactPng(out, dir, { width, height }, data);
  });

  it("float32 with several planes and RGB uint8: levels averaged per channel and plane", async () => {
    const dir = await scratchDir();
    const inputs = await writeFloatStackAndRgb(dir);
    for (const [name, input] of [
      ["f", inputs.floats],
      ["rgb", inputs.rgb],
    ] as const) {
      const out = join(dir, `${name}.ome.zarr`);
      const r = await czmodel("image-convert", input, out, "--pyramid");
      expect(r.status, r.stderr).toBe(0);
      const got = await python<Levels>(CHECK_LEVELS, out, "mean");
      expect(got.shapes.length).toBe(2);
      expect(got.mismatch).toBeNull();
    }
  });

  it("--pyramid is refused for PNG outputs in one line (OME-TIFF: test/io/tiff-pyramid.test.ts)", async () => {
    const dir = await scratchDir();
    writeFileSync(join(dir, "in.png"), encode({ width: 4, height: 4, data: new Uint8Array(16), depth: 8, channels: 1 }));
    expectOneLineError(await czmodel("image-convert", join(dir, "in.png"), join(dir, "o.png"), "--pyramid"), [
      /pyramids are written to OME-TIFF and OME-Zarr outputs only/,
    ]);
  });
});

describe("OmeZarrSink pyramid of labels", () => {
  it("keeps the top-left label of every 2x2 block, never a mean", async () => {
    const dir = await scratchDir();
    const out = join(dir, "labels.ome.zarr");
    const width = 2051;
    const height = 1037;
    const sink = new OmeZarrSink(await FolderTarget.create(out), { chunkSize: 256, pyramid: true });
    await sink.begin({ width, height, sizes: { scene: 1, t: 1, c: 1, z: 1 }, samplesPerPixel: 1, sampleType: "uint8", kind: "labels" });
    // labels 1..5 in stripes and blocks, written as tiles in a shuffled order
    const tiles: { x: number; y: number; w: number; h: number }[] = [];
    for (let y = 0; y < height; y += 300)
      for (let x = 0; x < width; x += 700) tiles.push({ x, y, w: Math.min(700, width - x), h: Math.min(300, height - y) });
    tiles.reverse();
    for (const t of tiles) {
      const data = new Uint8Array(t.w * t.h);
      for (let j = 0; j < t.h; j++) for (let i = 0; i < t.w; i++) data[j * t.w + i] = 1 + (((t.x + i) * 3 + (t.y + j) * 7) % 5);
      await sink.writeTile({ scene: 0, t: 0, c: 0, z: 0 }, { x: t.x, y: t.y, width: t.w, height: t.h }, data);
    }
    await sink.finish();
    const got = await python<Levels>(CHECK_LEVELS, out, "top-left");
    expect(got.shapes.map((s) => s.slice(3))).toEqual([
      [1037, 2051],
      [519, 1026],
      [260, 513],
    ]);
    expect(got.mismatch).toBeNull();
  });
});

describe("predict --pyramid", () => {
  it("labels keep the top-left pixel, probabilities are averaged, and shards refuse it", async () => {
    const dir = await scratchDir();
    const model = testdata("models", "simple_nuclei_segmodel.czann");
    const labels = join(dir, "labels.ome.zarr");
    const probabilities = join(dir, "probabilities.ome.zarr");
    const image = testdata("images", "nuclei_0000.png");
    const r = await czmodel("predict", model, image, "-o", labels, "--output", "both", "--pyramid", "--quiet");
    expect(r.status, r.stderr).toBe(0);
    const l = await python<Levels>(CHECK_LEVELS, labels, "top-left");
    expect(l.shapes.map((s) => s.slice(3))).toEqual([
      [1416, 1960],
      [708, 980],
    ]);
    expect(l.mismatch).toBeNull();
    const p = await python<Levels>(CHECK_LEVELS, join(dir, "labels.probabilities.ome.zarr"), "mean");
    expect(p.dtypes).toEqual(["float32", "float32"]);
    expect(p.mismatch).toBeNull();
    expectOneLineError(await czmodel("predict", model, image, "-o", probabilities, "--shard", "0/2", "--pyramid"), [
      /--pyramid cannot be used with them/,
    ]);
  });
});
