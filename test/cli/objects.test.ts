/**
 * `czmodel objects` on a real label image (nuclei_0000_labels.png, intensity from
 * nuclei_0000.png) against scipy.ndimage.label + skimage.measure.regionprops
 * (test/fixtures/objects/nuclei.csv from make.py): the table, the GeoJSON outlines, --json,
 * band-height independence, one plane of a label stack (--plane), bad input (one line, exit 2,
 * nothing written), output paths that
 * clash with each other or with an input, and the temps a killed run left.
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { describe, expect, it } from "vitest";
import { tempPathFor } from "../../src/bytes/node/atomic.js";
import { classColor } from "../../src/metadata/class-colors.js";
import { makeBigTiffFromImage } from "../../src/io/tiff/node/make-big-tiff.js";
import { fixture, repoRoot, testdata } from "../helpers/paths.js";
import { czmodel, expectOneLineError, parseJson, scratchDir } from "./helpers.js";

const LABELS = testdata("images", "nuclei_0000_labels.png");
const IMAGE = testdata("images", "nuclei_0000.png");

function parseCsv(text: string): Record<string, number>[] {
  const [head, ...rows] = text.trim().split("\n");
  const cols = head!.split(",");
  return rows.map((r) => Object.fromEntries(r.split(",").map((v, i) => [cols[i]!, Number(v)])));
}

const reference = parseCsv(readFileSync(fixture("objects", "nuclei.csv"), "utf8"));
const EXACT = ["class", "id", "area_px", "bbox_y", "bbox_x", "bbox_height", "bbox_width", "min_intensity", "max_intensity"];
const CLOSE = [
  "centroid_y",
  "centroid_x",
  "mean_intensity",
  "std_intensity",
  "perimeter",
  "equivalent_diameter",
  "eccentricity",
  "solidity",
];

interface Feature {
  geometry: { type: "Polygon" | "MultiPolygon"; coordinates: number[][][] | number[][][][] };
  properties: { classification: { name: string; color: number[] }; id: number; measurements: Record<string, number> };
}

function polygonArea(polygons: number[][][][]): number {
  let total = 0;
  for (const rings of polygons)
    for (const ring of rings)
      for (let i = 0; i + 1 < ring.length; i++) total += (ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!) / 2;
  return total;
}

/** The table equals the reference: integer columns exactly, the others within 1e-9 (relative). */
function expectSameTable(table: Record<string, number>[], want: Record<string, number>[]): void {
  expect(table.map((o) => EXACT.map((k) => o[k]))).toEqual(want.map((o) => EXACT.map((k) => o[k])));
  for (const [i, o] of table.entries()) {
    for (const k of CLOSE) {
      const w = want[i]![k]!;
      if (Math.abs(o[k]! - w) > 1e-9 * Math.max(1, Math.abs(w))) expect.fail(`object ${o.id} ${k}: ${o[k]} != ${w}`);
    }
  }
}

describe("czmodel objects", () => {
  it("measures the nuclei as scipy and skimage do, and outlines them as QuPath GeoJSON", async () => {
    const dir = await scratchDir();
    const csv = join(dir, "nuclei.csv");
    const geojson = join(dir, "nuclei.geojson");
    const r = await czmodel("objects", LABELS, IMAGE, "--objects", csv, "--outlines", geojson, "--json");
    expect(r.status, r.stderr).toBe(0);
    const summary = parseJson<{ objects: number; perClass: Record<string, number> }>(r);
    expect(summary.objects).toBe(reference.length);
    expect(summary.perClass).toEqual({ 128: reference.length });
    expectSameTable(parseCsv(await readFile(csv, "utf8")), reference);
    const features = (JSON.parse(await readFile(geojson, "utf8")) as { type: string; features: Feature[] }).features;
    expect(features.map((f) => f.properties.id)).toEqual(reference.map((o) => o.id));
    const script = join(repoRoot, "test", "fixtures", "objects", "make.py");
    const shapely = JSON.parse(execFileSync("/usr/bin/python3", [script, "--check-geojson", geojson], { encoding: "utf8" }));
    expect(shapely.invalid).toEqual([]);
    expect(shapely.areas).toEqual(reference.map((o) => o.area_px));
    for (const f of features) {
      expect(f.properties.classification.name).toBe("class 128");
      const polygons = (f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates) as number[][][][];
      expect(polygonArea(polygons)).toBe(f.properties.measurements.area_px);
    }
  });

  it("writes a Parquet table with the CSV's columns and values (read back with hyparquet)", async () => {
    const dir = await scratchDir();
    const csv = join(dir, "nuclei.csv");
    const pq = join(dir, "nuclei.parquet");
    for (const out of [csv, pq]) {
      const r = await czmodel("objects", LABELS, IMAGE, "--objects", out);
      expect(r.status, r.stderr).toBe(0);
    }
    const text = await readFile(csv, "utf8");
    const file = await readFile(pq);
    const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
    const rows = await parquetReadObjects({ file: buffer });
    const meta = parquetMetadata(buffer);
    expect(
      meta.schema
        .slice(1)
        .map((e) => e.name)
        .join(","),
    ).toBe(text.split("\n")[0]);
    expect(meta.schema.find((e) => e.name === "class")?.type).toBe("INT64");
    expect(meta.schema.find((e) => e.name === "id")?.type).toBe("INT64");
    expect(meta.schema.find((e) => e.name === "bbox_x")?.type).toBe("INT32");
    expect(meta.schema.find((e) => e.name === "centroid_x")?.type).toBe("DOUBLE");
    const asNumbers = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])));
    expect(asNumbers).toEqual(parseCsv(text));
    expect(asNumbers.length).toBe(reference.length);
  });

  it("writes uint32 label values above 2^31 - 1 to Parquet (class INT64) and GeoJSON", async () => {
    const dir = await scratchDir();
    const labels = join(dir, "big.ome.tif");
    const script = [
      "import sys, numpy as np, tifffile",
      "a = np.zeros((6, 8), np.uint32)",
      "a[1:3, 1:4] = 3000000001",
      "a[1, 6] = 4294967295",
      "a[4:6, 0:2] = 2147483648",
      "tifffile.imwrite(sys.argv[1], a, ome=True)",
    ].join("\n");
    execFileSync("/usr/bin/python3", ["-c", script, labels]);
    const pq = join(dir, "big.parquet");
    const geojson = join(dir, "big.geojson");
    const r = await czmodel("objects", labels, "--objects", pq, "--outlines", geojson, "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(parseJson<{ perClass: Record<string, number> }>(r).perClass).toEqual({ 3000000001: 1, 4294967295: 1, 2147483648: 1 });
    const file = await readFile(pq);
    const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
    expect(parquetMetadata(buffer).schema.find((e) => e.name === "class")?.type).toBe("INT64");
    const rows = await parquetReadObjects({
      file: buffer,
      columns: ["class", "id", "area_px", "bbox_y", "bbox_x", "bbox_height", "bbox_width"],
    });
    expect(rows).toEqual([
      { class: 3000000001n, id: 1n, area_px: 6n, bbox_y: 1, bbox_x: 1, bbox_height: 2, bbox_width: 3 },
      { class: 4294967295n, id: 2n, area_px: 1n, bbox_y: 1, bbox_x: 6, bbox_height: 1, bbox_width: 1 },
      { class: 2147483648n, id: 3n, area_px: 4n, bbox_y: 4, bbox_x: 0, bbox_height: 2, bbox_width: 2 },
    ]);
    const features = (JSON.parse(await readFile(geojson, "utf8")) as { features: Feature[] }).features;
    expect(features.map((f) => f.properties.classification)).toEqual(
      [3000000001, 4294967295, 2147483648].map((v) => ({ name: `class ${v}`, color: classColor(v) })),
    );
  });

  it("--min-area / --max-area take pixel counts above 16384; a bad count or --band-rows 0 is one line, exit 2, nothing written", async () => {
    const dir = await scratchDir();
    const labels = join(dir, "areas.ome.tif");
    // one object of 200 x 200 = 40000 px and one of 10 x 10 = 100 px
    const script = [
      "import sys, numpy as np, tifffile",
      "a = np.zeros((210, 420), np.uint8)",
      "a[0:200, 0:200] = 1",
      "a[0:10, 300:310] = 1",
      "tifffile.imwrite(sys.argv[1], a, ome=True)",
    ].join("\n");
    execFileSync("/usr/bin/python3", ["-c", script, labels]);
    const areas = async (...filter: string[]) => {
      const out = join(dir, "areas.csv");
      const r = await czmodel("objects", labels, "--objects", out, "--overwrite", ...filter);
      expect(r.status, r.stderr).toBe(0);
      return parseCsv(await readFile(out, "utf8")).map((o) => o.area_px);
    };
    expect(await areas()).toEqual([40000, 100]);
    expect(await areas("--max-area", "20000")).toEqual([100]);
    expect(await areas("--min-area", "20000")).toEqual([40000]);
    expect(await areas("--min-area", "40000", "--max-area", "9007199254740991")).toEqual([40000]);
    expect(await areas("--max-area", "39999")).toEqual([100]);

    const empty = await scratchDir();
    const out = join(empty, "o.csv");
    const bad: [string[], string[]][] = [
      [
        ["--min-area", "abc"],
        ["--min-area", '"abc" is not a whole number of pixels (allowed: integers >= 0)'],
      ],
      [["--min-area", "10,20"], ['"10,20" is not a whole number of pixels']],
      [["--max-area", "-5"], ['"-5" is not a whole number of pixels']],
      [["--max-area", "2.5"], ['"2.5" is not a whole number of pixels']],
      [["--max-area", "9007199254740992"], ["9007199254740992 is more than 9007199254740991"]],
      [
        ["--band-rows", "0"],
        ["--band-rows", "0 is less than 1 (allowed: integers 1..16384)"],
      ],
    ];
    for (const [args, patterns] of bad) expectOneLineError(await czmodel("objects", labels, "--objects", out, ...args), patterns);
    expect(await readdir(empty)).toEqual([]);
  });

  it("gives the same table whatever the band height", async () => {
    const dir = await scratchDir();
    const tables: string[] = [];
    for (const rows of ["1", "7", "1416"]) {
      const out = join(dir, `rows-${rows}.csv`);
      const r = await czmodel(
        "objects",
        LABELS,
        "--objects",
        out,
        "--band-rows",
        rows,
        "--connectivity",
        "4",
        "--exclude-border",
        "--min-area",
        "50",
      );
      expect(r.status, r.stderr).toBe(0);
      tables.push(await readFile(out, "utf8"));
    }
    expect(tables[1]).toBe(tables[0]);
    expect(tables[2]).toBe(tables[0]);
    expect(parseCsv(tables[0]!).every((o) => o.area_px! >= 50 && o.bbox_y! > 0 && o.bbox_x! > 0)).toBe(true);
  });

  it("refuses a class the labels cannot hold, an image of another size and a table of another format: one line, exit 2, nothing written", async () => {
    const dir = await scratchDir();
    const out = join(dir, "o.csv");
    expectOneLineError(await czmodel("objects", LABELS, "--objects-of", "300", "--objects", out), ["class 300", "uint8"]);
    const other = testdata("images", "kidney_dapi_lowsnr.png");
    expectOneLineError(await czmodel("objects", LABELS, other, "--objects", out), ["1024x1024", "1960x1416"]);
    expectOneLineError(await czmodel("objects", LABELS, "--objects", join(dir, "o.xlsx")), [".parquet"]);
    expectOneLineError(await czmodel("objects", LABELS, "--connectivity", "6"), ["6"]);
    expectOneLineError(await czmodel("objects", LABELS, "--min-area", "100", "--max-area", "50", "--objects", out), [
      "--min-area: 100 is more than --max-area 50",
    ]);
    expectOneLineError(await czmodel("objects", LABELS, "--objects-of", "Nucleus", "--objects", out), ["Nucleus", "predict"]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("--plane measures one plane of a label stack, with the same plane of the intensity stack; a bad pick is one line, exit 2, nothing written", async () => {
    const dir = await scratchDir();
    const labels = join(dir, "labels.ome.tif");
    const image = join(dir, "image.ome.tif");
    // T 2 × Z 3 stacks (tifffile) whose plane t=1, z=2 holds the nuclei labels and image
    execFileSync("/usr/bin/python3", [join(repoRoot, "test", "fixtures", "objects", "make.py"), "--stack", labels, image]);
    const csv = join(dir, "t1-z2.csv");
    const r = await czmodel("objects", labels, image, "--plane", "t=1,z=2,c=0", "--objects", csv, "--instances", join(dir, "ids.ome.tif"));
    expect(r.status, r.stderr).toBe(0);
    expectSameTable(parseCsv(await readFile(csv, "utf8")), reference);
    const out = join(dir, "bad.csv");
    expectOneLineError(await czmodel("objects", labels, image, "--objects", out), ["6 planes", "--plane (objects"]);
    expectOneLineError(await czmodel("objects", labels, "--plane", "t=2", "--objects", out), [
      "t=2, but the label image has 2 time points",
    ]);
    expectOneLineError(await czmodel("objects", labels, "--plane", "z=0-1", "--objects", out), ["z: objects measure one plane, not 2"]);
    expectOneLineError(await czmodel("objects", labels, "--plane", "t=1", "--objects", out), ["the label image has 3 Z planes: pick one"]);
    expectOneLineError(await czmodel("objects", labels, LABELS, "--plane", "t=1,z=2", "--objects", out), [
      "t=1, but the intensity image has 1 time point",
    ]);
    expectOneLineError(await czmodel("objects", labels, "--plane", "h=0", "--objects", out), ["h is not an axis objects can pick"]);
    expect((await readdir(dir)).sort()).toEqual(["ids.ome.tif", "image.ome.tif", "labels.ome.tif", "t1-z2.csv"]);
  });

  it("predict --objects measures the nucleus class of its own labels as scipy and skimage do, with the confidence", async () => {
    const dir = await scratchDir();
    const model = testdata("models", "simple_nuclei_segmodel.czann");
    const labels = join(dir, "labels.ome.tif");
    const probabilities = join(dir, "labels.probabilities.ome.tif");
    const csv = join(dir, "nuclei.csv");
    const geojson = join(dir, "nuclei.geojson");
    const r = await czmodel(
      "predict",
      model,
      IMAGE,
      "-o",
      labels,
      "--output",
      "both",
      "--objects",
      csv,
      "--outlines",
      geojson,
      "--objects-of",
      "Nucleus",
      "--json",
    );
    expect(r.status, r.stderr).toBe(0);
    const summary = parseJson<{ files: string[]; objects: { objects: number; perClass: Record<string, number>; outputs: string[] } }>(r);
    expect(summary.files).toEqual([labels, probabilities, csv, geojson]); // every file written, the object outputs too
    expect(summary.objects.outputs).toEqual([csv, geojson]);
    const script = join(repoRoot, "test", "fixtures", "objects", "make.py");
    const reference = execFileSync("/usr/bin/python3", [script, "--table", labels, IMAGE, "2", probabilities, "1"], { encoding: "utf8" });
    const want = parseCsv(reference);
    expect(want.length).toBeGreaterThan(300);
    expect(summary.objects.perClass).toEqual({ 2: want.length });
    const table = parseCsv(await readFile(csv, "utf8"));
    expectSameTable(table, want);
    for (const [i, o] of table.entries()) expect(Math.abs(o.confidence! - want[i]!.confidence!)).toBeLessThan(1e-9);
    const features = (JSON.parse(await readFile(geojson, "utf8")) as { features: Feature[] }).features;
    expect(features[0]!.properties.classification).toEqual({ name: "Nucleus", color: expect.any(Array) });

    // objects on the files predict wrote, with --probabilities: predict's own table, confidence included
    const after = join(dir, "after.csv");
    const again = await czmodel("objects", labels, IMAGE, "--probabilities", probabilities, "--objects", after);
    expect(again.status, again.stderr).toBe(0);
    expect(await readFile(after, "utf8")).toBe(await readFile(csv, "utf8"));
    // probabilities that are not: the label image itself, another size
    const bad = join(dir, "bad.csv");
    expectOneLineError(await czmodel("objects", labels, "--probabilities", labels, "--objects", bad), ["floating-point", "uint8"]);
    const otherSize = join(dir, "other-size.tif");
    await makeBigTiffFromImage(probabilities, otherSize, { width: 1024, height: 1024 });
    expectOneLineError(await czmodel("objects", labels, "--probabilities", otherSize, "--objects", bad), [
      "probabilities are 1024x1024 but the labels are 1960x1416",
    ]);
    expect(await readdir(dir)).not.toContain("bad.csv");
  });

  it("objects on labels predict wrote knows the model's classes: no background objects, class names, predict's own table", async () => {
    const dir = await scratchDir();
    const model = testdata("models", "simple_nuclei_segmodel.czann");
    const inPass = join(dir, "in-pass.csv");
    const png = join(dir, "labels.png");
    const tiff = join(dir, "labels.ome.tif");
    expect((await czmodel("predict", model, IMAGE, "-o", png, "--objects", inPass)).status).toBe(0);
    expect((await czmodel("predict", model, IMAGE, "-o", tiff)).status).toBe(0);
    const want = await readFile(inPass, "utf8");
    expect((await czmodel("image-info", png)).stdout).toMatch(/classes\s+1 Background, 2 Nucleus\n/);
    for (const [labels, objectsOf] of [
      [png, []],
      [tiff, []],
      [tiff, ["--objects-of", "Nucleus"]],
    ] as const) {
      const csv = join(dir, "o.csv");
      const geojson = join(dir, "o.geojson");
      const r = await czmodel("objects", labels, IMAGE, "--objects", csv, "--outlines", geojson, ...objectsOf, "--json", "--overwrite");
      expect(r.status, r.stderr).toBe(0);
      const summary = parseJson<{ perClass: Record<string, number>; classNames: Record<string, string> }>(r);
      expect(summary.perClass).toEqual({ 2: want.trim().split("\n").length - 1 });
      expect(summary.classNames).toEqual({ 2: "Nucleus" });
      expect(await readFile(csv, "utf8")).toBe(want);
      const features = (JSON.parse(await readFile(geojson, "utf8")) as { features: Feature[] }).features;
      expect(features[0]!.properties.classification).toEqual({ name: "Nucleus", color: [0, 255, 0] });
    }
    expect((await czmodel("objects", tiff, "--objects", join(dir, "o.csv"), "--overwrite")).stdout).toMatch(/class 2 \(Nucleus\)\s+\d+/);
    const before = (await readdir(dir)).sort();
    expectOneLineError(await czmodel("objects", tiff, "--objects-of", "Cell", "--objects", join(dir, "x.csv")), [
      "class Cell",
      "2 (Nucleus)",
    ]);
    expectOneLineError(await czmodel("objects", png, "--objects-of", "3", "--objects", join(dir, "x.csv")), ["class 3", "1 (Background)"]);
    expect((await readdir(dir)).sort()).toEqual(before);
  });

  it("predict refuses objects from a regression model or of a class the model lacks before writing anything", async () => {
    const dir = await scratchDir();
    const seg = testdata("models", "simple_nuclei_segmodel.czann");
    const reg = testdata("models", "simple_kidney_regmodel.czann");
    const out = join(dir, "out.png");
    const csv = join(dir, "o.csv");
    expectOneLineError(await czmodel("predict", reg, IMAGE, "-o", out, "--objects", csv), ["segmentation model", "regression"]);
    expectOneLineError(await czmodel("predict", seg, IMAGE, "-o", out, "--objects", csv, "--objects-of", "3"), ["class 3", "Nucleus"]);
    expectOneLineError(await czmodel("predict", seg, IMAGE, "-o", out, "--objects", csv, "--objects-of", "Cell"), [
      "class Cell",
      "2 (Nucleus)",
    ]);
    expectOneLineError(await czmodel("predict", seg, IMAGE, "-o", out, "--outlines", join(dir, "o.geojson"), "--output", "probabilities"), [
      "label output",
    ]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("--instances writes uint32 ids equal to scipy's numbering after the same filters, whatever the band height", async () => {
    const dir = await scratchDir();
    const script = join(repoRoot, "test", "fixtures", "objects", "make.py");
    for (const [args, check] of [
      [
        ["--band-rows", "1"],
        ["128", "8", "0", "0"],
      ],
      [
        ["--connectivity", "4", "--min-area", "40", "--exclude-border", "--band-rows", "7"],
        ["128", "4", "40", "1"],
      ],
    ] as const) {
      const out = join(dir, `instances-${args.length}.ome.tif`);
      const r = await czmodel("objects", LABELS, "--instances", out, ...args, "--json");
      expect(r.status, r.stderr).toBe(0);
      const got = JSON.parse(
        execFileSync("/usr/bin/python3", [script, "--compare-instances", LABELS, out, ...check], { encoding: "utf8" }),
      );
      expect(got).toEqual({ equal: true, objects: parseJson<{ objects: number }>(r).objects, dtype: "uint32" });
    }
    expectOneLineError(await czmodel("objects", LABELS, "--instances", join(dir, "i.png")), ["OME-TIFF or OME-Zarr"]);
    expectOneLineError(await czmodel("objects", LABELS, "--instances", join(dir, "i.ome.tif"), "--fill-holes"), [
      "--fill-holes",
      "--instances",
    ]);
    expect((await readdir(dir)).sort()).toEqual(["instances-2.ome.tif", "instances-7.ome.tif"]);
  });

  it("objects crossing every tile seam of a tiled BigTIFF (mirror-tiled nuclei labels) get scipy's ids", async () => {
    const dir = await scratchDir();
    const big = join(dir, "labels.ome.tif");
    await makeBigTiffFromImage(LABELS, big, { width: 4100, height: 3000, tileSize: 256 });
    const out = join(dir, "instances.ome.tif");
    const r = await czmodel("objects", big, "--instances", out, "--band-rows", "100", "--json");
    expect(r.status, r.stderr).toBe(0);
    const script = join(repoRoot, "test", "fixtures", "objects", "make.py");
    const got = JSON.parse(
      execFileSync("/usr/bin/python3", [script, "--compare-instances", big, out, "128", "8", "0", "0"], { encoding: "utf8" }),
    );
    expect(got).toEqual({ equal: true, objects: parseJson<{ objects: number }>(r).objects, dtype: "uint32" });
    expect(got.objects).toBeGreaterThan(1500);
  });
});

describe("czmodel objects and predict: output paths", () => {
  const MODEL = testdata("models", "simple_nuclei_segmodel.czann");

  it("predict refuses two outputs on one path before the model runs, with or without --overwrite: one line, exit 2, nothing written", async () => {
    const dir = await scratchDir();
    const at = (name: string) => join(dir, name);
    const both = ["-o", at("y.ome.tif"), "--output", "both", "--instances", at("y.probabilities.ome.tif"), "--objects", at("y.csv")];
    expectOneLineError(await czmodel("predict", MODEL, IMAGE, ...both), [
      "probabilities output (--output both) and --instances",
      "same file",
    ]);
    expectOneLineError(await czmodel("predict", MODEL, IMAGE, ...both, "--overwrite"), ["--instances", "same file"]);
    const zarr = ["-o", at("z.ome.zarr"), "--instances", at("z.ome.zarr")];
    expectOneLineError(await czmodel("predict", MODEL, IMAGE, ...zarr, "--overwrite"), ["label output (-o) and --instances", "same file"]);
    // another spelling of the same path is the same path
    const dotted = ["-o", at("w.ome.tif"), "--instances", join(dir, ".", "w.ome.tif"), "--objects", at("w.csv")];
    expectOneLineError(await czmodel("predict", MODEL, IMAGE, ...dotted), ["label output (-o) and --instances"]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuses an output that is one of the inputs (labels, image, model), even through a link or with --overwrite; the inputs keep their bytes", async () => {
    const dir = await scratchDir();
    const labels = join(dir, "l.ome.tif");
    const image = join(dir, "im.ome.tif");
    await makeBigTiffFromImage(LABELS, labels, { width: 64, height: 64 });
    await makeBigTiffFromImage(IMAGE, image, { width: 64, height: 64 });
    const link = join(dir, "link.ome.tif");
    await symlink(labels, link);
    const modelLink = join(dir, "model.ome.tif");
    await symlink(MODEL, modelLink);
    const before = (await readdir(dir)).sort();
    const bytes = [await readFile(labels), await readFile(image)];
    const inputs = ["would replace one of the inputs"];
    for (const instances of [labels, image, link]) {
      expectOneLineError(await czmodel("objects", labels, image, "--instances", instances, "--overwrite"), ["--instances", ...inputs]);
    }
    expectOneLineError(await czmodel("objects", labels, "--instances", labels, "--overwrite"), inputs);
    expectOneLineError(await czmodel("predict", MODEL, image, "-o", image, "--overwrite"), ["the output", ...inputs]);
    expectOneLineError(
      await czmodel("predict", MODEL, image, "-o", join(dir, "p.ome.tif"), "--output", "both", "--overwrite", "--instances", image),
      ["--instances", ...inputs],
    );
    expectOneLineError(
      await czmodel("predict", MODEL, image, "-o", join(dir, "q.ome.tif"), "--instances", modelLink, "--overwrite"),
      inputs,
    );
    expect((await readdir(dir)).sort()).toEqual(before);
    expect([await readFile(labels), await readFile(image)]).toEqual(bytes);
  });

  it("removes the temps a killed run left at the table, outlines and instance paths, and says so; a live run's temp stays", async () => {
    const dir = await scratchDir();
    const dead = await deadPid();
    const stale = (name: string, pid = dead) => {
      const temp = basename(tempPathFor(join(dir, name))).replace(`-${process.pid}-`, `-${pid}-`);
      return writeFile(join(dir, temp), "partial").then(() => temp);
    };
    const left = [await stale("k.csv"), await stale("k.geojson"), await stale("k-ids.ome.tif")];
    const live = await stale("k.csv", process.pid);
    const r = await czmodel(
      "objects",
      LABELS,
      "--objects",
      join(dir, "k.csv"),
      "--outlines",
      join(dir, "k.geojson"),
      "--instances",
      join(dir, "k-ids.ome.tif"),
    );
    expect(r.status, r.stderr).toBe(0);
    for (const name of left) expect(r.stdout).toContain(`warning: removed ${name}, a temp output that a killed run left behind`);
    expect((await readdir(dir)).sort()).toEqual(["k-ids.ome.tif", "k.csv", "k.geojson", live].sort());

    // predict --objects: the label output's temp and the object outputs' temps alike
    const again = [await stale("p.png"), await stale("p.csv"), await stale("p.geojson")];
    const p = await czmodel(
      "predict",
      MODEL,
      IMAGE,
      "-o",
      join(dir, "p.png"),
      "--objects",
      join(dir, "p.csv"),
      "--outlines",
      join(dir, "p.geojson"),
      "--json",
    );
    expect(p.status, p.stderr).toBe(0);
    const summary = parseJson<{ warnings: string[]; objects: { warnings: string[] } }>(p);
    expect([...summary.warnings, ...summary.objects.warnings]).toEqual(
      again.map((n) => `removed ${n}, a temp output that a killed run left behind`),
    );
    expect((await readdir(dir)).filter((f) => f.endsWith(".partial"))).toEqual([live]);
  });
});

/** The pid of a process of this machine that has exited (as a run killed with SIGKILL leaves it). */
function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  return new Promise((resolve) => child.on("exit", () => resolve(child.pid!)));
}
