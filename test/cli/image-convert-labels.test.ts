/**
 * `czmodel image-convert` of a label image czmodel wrote (`predict` of the nuclei model on a
 * shared image): OME-TIFF → OME-Zarr, OME-TIFF, PNG keep the model's classes as a label record
 * (read back by our reader and, independently, by zarr, tifffile and Pillow), the pixels are
 * unchanged, a pyramid's level 1 is exactly level 0's top-left pixel of every 2×2 block
 * (numpy), and `objects` on the converted file counts the nuclei only (scipy's count of the
 * class's 8-connected components).
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { testdata } from "../helpers/paths.js";
import { python } from "../io/helpers.js";
import { czmodel, scratchDir } from "./helpers.js";

const CLASSES = [
  { value: 1, name: "Background", color: [255, 0, 0] },
  { value: 2, name: "Nucleus", color: [0, 255, 0] },
];

/** argv: source OME-TIFF, converted OME-Zarr, OME-TIFF, PNG. The records and pixel checks of each, by independent readers. */
const CHECK = `
import sys, json, numpy, zarr, tifffile, scipy.ndimage
import xml.etree.ElementTree as ET
from PIL import Image
src, zpath, tpath, ppath = sys.argv[1:5]
want = tifffile.imread(src)
g = zarr.open_group(zpath, mode="r")
z0, z1 = numpy.asarray(g["0"][:])[0, 0, 0], numpy.asarray(g["1"][:])[0, 0, 0]
s = tifffile.TiffFile(tpath).series[0]
t0, t1 = s.levels[0].asarray(), s.levels[1].asarray()
ns = "{http://www.openmicroscopy.org/Schemas/OME/2016-06}"
xml = ET.fromstring(tifffile.TiffFile(tpath).ome_metadata)
maps = {m.get("Namespace"): [[v.get("K"), v.text] for v in m.iter(ns + "M")] for m in xml.iter(ns + "MapAnnotation")}
png = Image.open(ppath)
print(json.dumps({
  "zarr": {"czmodel": g.attrs["czmodel"], "imageLabel": g.attrs.get("image-label"), "equal": bool((z0 == want).all()),
           "levels": [list(z0.shape), list(z1.shape)], "level1Differs": int((z1 != z0[::2, ::2]).sum())},
  "tiff": {"maps": maps, "equal": bool((t0 == want).all()), "levels": [list(t0.shape), list(t1.shape)],
           "level1Differs": int((t1 != t0[::2, ::2]).sum())},
  "png": {"text": json.loads(png.text["czmodel"]), "equal": bool((numpy.asarray(png) == want).all())},
  "values": sorted(int(v) for v in numpy.unique(want)),
  "nuclei": int(scipy.ndimage.label(want == 2, structure=numpy.ones((3, 3)))[1]),
}))
`;

interface Checked {
  zarr: {
    czmodel: Record<string, unknown>;
    imageLabel: Record<string, unknown>;
    equal: boolean;
    levels: number[][];
    level1Differs: number;
  };
  tiff: { maps: Record<string, string[][]>; equal: boolean; levels: number[][]; level1Differs: number };
  png: { text: Record<string, unknown>; equal: boolean };
  values: number[];
  nuclei: number;
}

async function ok(...args: string[]): Promise<string> {
  const r = await czmodel(...args);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe("image-convert of a label image keeps it a label image", () => {
  let dir: string;
  let labels: string;
  const out = (name: string) => join(dir, name);
  let checked: Checked;

  beforeAll(async () => {
    dir = await scratchDir();
    labels = out("labels.ome.tif");
    const model = testdata("models", "simple_nuclei_segmodel.czann");
    await ok("predict", model, testdata("images", "nuclei_0000.png"), "-o", labels, "--quiet");
    await ok("image-convert", labels, out("x.ome.zarr"), "--pyramid", "--quiet");
    await ok("image-convert", labels, out("x.ome.tif"), "--pyramid", "--quiet");
    await ok("image-convert", labels, out("x.png"), "--quiet");
    checked = await python<Checked>(CHECK, labels, out("x.ome.zarr"), out("x.ome.tif"), out("x.png"));
  }, 120_000);

  it("our reader gives the classes back from every output", async () => {
    for (const name of ["labels.ome.tif", "x.ome.zarr", "x.ome.tif", "x.png"]) {
      const info = JSON.parse(await ok("image-info", out(name), "--json")) as { labelClasses?: unknown };
      expect(info.labelClasses, name).toEqual(CLASSES);
    }
  });

  it("every output records kind labels and the classes (zarr, tifffile, Pillow)", () => {
    expect(checked.zarr.czmodel).toMatchObject({ kind: "labels", classes: CLASSES });
    expect(checked.zarr.imageLabel).toMatchObject({
      colors: [
        { "label-value": 1, rgba: [255, 0, 0, 255] },
        { "label-value": 2, rgba: [0, 255, 0, 255] },
      ],
    });
    expect(checked.tiff.maps["czmodel/output"]).toContainEqual(["kind", "labels"]);
    expect(checked.tiff.maps["czmodel/class-names"]).toEqual([
      ["1", "Background"],
      ["2", "Nucleus"],
    ]);
    expect(checked.tiff.maps["czmodel/class-colors"]).toEqual([
      ["1", "#ff0000"],
      ["2", "#00ff00"],
    ]);
    expect(checked.png.text).toMatchObject({ kind: "labels", classes: CLASSES });
  });

  it("keeps every label value, and a pyramid level keeps each 2×2 block's top-left pixel", () => {
    expect(checked.values).toEqual([1, 2]);
    for (const f of [checked.zarr, checked.tiff, checked.png]) expect(f.equal).toBe(true);
    for (const f of [checked.zarr, checked.tiff]) {
      expect(f.levels).toEqual([
        [1416, 1960],
        [708, 980],
      ]);
      expect(f.level1Differs).toBe(0);
    }
  });

  it("objects on the converted OME-Zarr counts the nuclei only, and takes the class name", async () => {
    expect(checked.nuclei).toBeGreaterThan(100);
    for (const extra of [[], ["--objects-of", "Nucleus"]]) {
      const r = JSON.parse(await ok("objects", out("x.ome.zarr"), "--json", ...extra)) as { objects: number; perClass: unknown };
      expect(r.objects).toBe(checked.nuclei);
      expect(r.perClass).toEqual({ "2": checked.nuclei });
    }
  });
});
