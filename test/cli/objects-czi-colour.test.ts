/**
 * `czmodel objects` with a colour CZI (RGB-8bit.czi, stored B, G, R) as IMAGE: `_c0` is red, as
 * for every other format. The table equals the one measured on the same pixels converted to PNG
 * and OME-TIFF (`czmodel image-convert`; the PNG without the µm² area it cannot know), whose channel order is checked first against the CZI's
 * stored bytes by Python (tifffile, PIL); the means of red, green and blue per object equal
 * numpy's over scipy's labels of the same disc image.
 */
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixture, testdata } from "../helpers/paths.js";
import { czmodel, scratchDir } from "./helpers.js";

const CZI = testdata("czi", "RGB-8bit.czi");
const entry = (
  JSON.parse(await readFile(fixture("czi", "reference.json"), "utf8")) as Record<string, { entries: { dataOffset: number }[] }>
)["RGB-8bit.czi"]!.entries[0]!;

/** Writes discs of class 1 (labels.tif) and prints what numpy sees: converted files' order and per-object R, G, B means. */
const ORACLE = `
import json, sys
import numpy as np, tifffile
from PIL import Image
from scipy import ndimage
czi, offset, tif, png, labels_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
stored = np.fromfile(czi, dtype=np.uint8, count=624 * 924 * 3, offset=offset).reshape(624, 924, 3)
rgb = stored[..., ::-1]  # Bgr24: blue first
yy, xx = np.mgrid[0:624, 0:924]
labels = np.zeros((624, 924), np.uint8)
for cy in range(40, 624, 90):
    for cx in range(40, 924, 90):
        labels[(yy - cy) ** 2 + (xx - cx) ** 2 <= 35 ** 2] = 1
tifffile.imwrite(labels_path, labels)
ids, n = ndimage.label(labels)
means = [ndimage.mean(rgb[..., k], ids, range(1, n + 1)).tolist() for k in range(3)]
print(json.dumps({
    "tif": bool(np.array_equal(tifffile.imread(tif), np.moveaxis(rgb, 2, 0))),
    "png": bool(np.array_equal(np.asarray(Image.open(png)), rgb)),
    "redNotBlue": bool((rgb[..., 0] != rgb[..., 2]).sum() > 1000),
    "means": means,
}))
`;

function parseCsv(text: string): Record<string, number>[] {
  const [head, ...rows] = text.trim().split("\n");
  const cols = head!.split(",");
  return rows.map((r) => Object.fromEntries(r.split(",").map((v, i) => [cols[i]!, Number(v)])));
}

/** Same columns and rows; the values equal within 1e-9 (relative): summation order and the OME pixel size's decimals differ. */
function expectSameTable(got: Record<string, number>[], want: Record<string, number>[]): void {
  expect(got.map((o) => Object.keys(o))).toEqual(want.map((o) => Object.keys(o)));
  for (const [i, o] of got.entries())
    for (const [k, v] of Object.entries(o)) {
      const w = want[i]![k]!;
      if (Math.abs(v - w) > 1e-9 * Math.max(1, Math.abs(w))) expect.fail(`object ${o.id} ${k}: ${v} != ${w}`);
    }
}

describe("czmodel objects with a colour CZI", () => {
  it("c0 is red: the same table as the PNG and OME-TIFF of the same pixels, and numpy's R, G, B means", async () => {
    const dir = await scratchDir();
    const [tif, png, labels] = [join(dir, "rgb.ome.tif"), join(dir, "rgb.png"), join(dir, "labels.tif")];
    for (const out of [tif, png]) expect((await czmodel("image-convert", CZI, out, "--quiet")).status).toBe(0);
    const args = [ORACLE, CZI, String(entry.dataOffset), tif, png, labels];
    const oracle = JSON.parse(execFileSync("/usr/bin/python3", ["-c", ...args], { encoding: "utf8" })) as {
      tif: boolean;
      png: boolean;
      redNotBlue: boolean;
      means: number[][];
    };
    expect([oracle.tif, oracle.png, oracle.redNotBlue]).toEqual([true, true, true]);
    const tables: string[] = [];
    for (const image of [CZI, png, tif]) {
      const csv = join(dir, `objects-${tables.length}.csv`);
      const r = await czmodel("objects", labels, image, "--objects", csv);
      expect(r.status, r.stderr).toBe(0);
      tables.push(await readFile(csv, "utf8"));
    }
    const [czi, fromPng, fromTif] = tables.map(parseCsv);
    // a PNG has no pixel size, so no area in µm²; every other column is the same
    expectSameTable(
      fromPng!,
      czi!.map(({ area_um2, ...rest }) => rest),
    );
    expectSameTable(fromTif!, czi!);
    expect(czi![0]!.area_um2).toBeGreaterThan(0);
    const rows = czi!;
    expect(rows.length).toBe(oracle.means[0]!.length);
    for (const [k, means] of oracle.means.entries())
      for (const [i, m] of means.entries()) expect(Math.abs(rows[i]![`mean_intensity_c${k}`]! - m)).toBeLessThan(1e-9 * Math.max(1, m));
  });
});
