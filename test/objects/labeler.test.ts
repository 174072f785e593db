/**
 * The streaming labeler against scipy.ndimage.label and skimage.measure.regionprops
 * (test/fixtures/objects/make.py): ids, classes, areas and bounding boxes exactly; centroids,
 * intensity statistics, Crofton perimeters, eccentricity and solidity within 1e-9; the same
 * table whatever the band height; and outlines whose polygons cover exactly the object's pixels.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ObjectLabeler, type MeasuredObject, type ObjectOptions, type Ring } from "../../src/objects/index.js";
import { IdTrace } from "../../src/objects/labeler.js";
import { fixture, repoRoot } from "../helpers/paths.js";

interface Image {
  width: number;
  height: number;
  labels: number[];
  intensity: number[][];
}
interface Case {
  image: string;
  options: ObjectOptions;
  objects: Record<string, number>[];
  instances: number[];
}
const data = JSON.parse(readFileSync(fixture("objects", "cases.json"), "utf8")) as { images: Record<string, Image>; cases: Case[] };

function run(image: Image, options: ObjectOptions, bandRows: number): MeasuredObject[] {
  const found: MeasuredObject[] = [];
  const labeler = new ObjectLabeler(image.width, image.height, options, 2, (o) => found.push(o));
  for (let y = 0; y < image.height; y += bandRows) {
    const rows = Math.min(bandRows, image.height - y);
    const slice = (a: number[]) => a.slice(y * image.width, (y + rows) * image.width);
    labeler.addBand(slice(image.labels), rows, { intensity: image.intensity.map(slice) });
  }
  labeler.finish();
  return found;
}

function expectClose(actual: number, expected: number, what: string): void {
  if (Math.abs(actual - expected) > 1e-9 * Math.max(1, Math.abs(expected))) expect.fail(`${what}: ${actual} != ${expected}`);
}

function compare(found: MeasuredObject[], expected: Record<string, number>[]): void {
  expect(found.map((o) => [o.id, o.class, o.areaPx, o.bboxY, o.bboxX, o.bboxHeight, o.bboxWidth])).toEqual(
    expected.map((r) => [r.id, r.class, r.area_px, r.bbox_y, r.bbox_x, r.bbox_height, r.bbox_width]),
  );
  for (const [i, o] of found.entries()) {
    const r = expected[i]!;
    const at = `object ${o.id}`;
    expectClose(o.centroidY, r.centroid_y!, `${at} centroid_y`);
    expectClose(o.centroidX, r.centroid_x!, `${at} centroid_x`);
    expectClose(o.perimeter, r.perimeter!, `${at} perimeter`);
    expectClose(o.equivalentDiameter, r.equivalent_diameter!, `${at} equivalent_diameter`);
    expectClose(o.eccentricity, r.eccentricity!, `${at} eccentricity`);
    expectClose(o.solidity, r.solidity!, `${at} solidity`);
    for (const [c, s] of o.filledHoles ? [] : o.intensity.entries()) {
      for (const k of ["mean", "min", "max", "std"] as const) expectClose(s[k], r[`${k}_intensity_c${c}`]!, `${at} ${k}_intensity_c${c}`);
    }
  }
}

/** Even-odd: is the point inside the rings (outer rings and holes together)? */
function insideRings(rings: Ring[], px: number, py: number): boolean {
  let odd = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) odd = !odd;
    }
  }
  return odd;
}

function ringArea(ring: Ring): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) s += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
  return s / 2;
}

describe("streaming connected components", () => {
  for (const c of data.cases) {
    const image = data.images[c.image]!;
    it(`${c.image} ${JSON.stringify(c.options)}: ${c.objects.length} objects equal scipy/skimage for band heights 1, 7 and all`, () => {
      for (const band of [1, 7, image.height]) compare(run(image, c.options, band), c.objects);
    });
  }

  for (const c of data.cases.filter((k) => !k.options.fillHoles)) {
    const image = data.images[c.image]!;
    it(`${c.image} ${JSON.stringify(c.options)}: a second pass replaying the first's merges gives scipy's instance image`, () => {
      const trace = new IdTrace();
      const first = new ObjectLabeler(image.width, image.height, c.options, 0, () => undefined, { trace });
      first.addBand(image.labels, image.height);
      first.finish();
      const instances = new Array<number>(image.labels.length).fill(0);
      const onRow = (y: number, runs: ArrayLike<number>, keys: readonly number[]) => {
        for (let i = 0; i < runs.length; i += 2)
          instances.fill(trace.finalId(keys[i / 2]!), y * image.width + runs[i]!, y * image.width + runs[i + 1]! + 1);
      };
      const second = new ObjectLabeler(image.width, image.height, c.options, 0, () => undefined, { onRow });
      for (let y = 0; y < image.height; y += 3) {
        const rows = Math.min(3, image.height - y);
        second.addBand(image.labels.slice(y * image.width, (y + rows) * image.width), rows);
      }
      second.finish();
      expect(instances).toEqual(c.instances);
    });
  }

  for (const c of data.cases.filter((k) => k.options.fillHoles)) {
    const image = data.images[c.image]!;
    it(`${c.image} ${JSON.stringify(c.options)}: outlines of filled objects have no holes and cover the filled area`, () => {
      const found = run(image, { ...c.options, outlines: true }, 4);
      expect(found.some((o) => o.filledHoles)).toBe(c.image !== "wide"); // the wide strip has no holes
      for (const o of found) {
        const rings = o.outline!.flat();
        expect(rings.reduce((a, r) => a + ringArea(r), 0)).toBe(o.areaPx);
        expect(rings.every((r) => ringArea(r) > 0)).toBe(true);
      }
    });
  }

  it("byte labels (scanned eight or four pixels per compare where aligned) give what plain number labels give", () => {
    // random images of long runs, widths that are and are not multiples of 8, band rows of any count;
    // values 0 and 255 take the four-byte compare (eight 0x00 bytes equal −0 as a double, eight 0xff bytes are NaN)
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (const width of [1, 3, 4, 8, 37, 64, 101]) {
      const height = 23;
      const labels: number[] = [];
      while (labels.length < width * height) {
        const value = random() < 0.5 ? [0, 1, 255][Math.floor(random() * 3)]! : [2, 3, 128][Math.floor(random() * 3)]!;
        labels.push(...new Array<number>(1 + Math.floor(random() * 40)).fill(value));
      }
      labels.length = width * height;
      const image = { width, height, labels, intensity: [labels, labels] };
      for (const options of [{ connectivity: 8 as const }, { connectivity: 4 as const, classes: [2, 3, 255] }]) {
        const expected = run(image, options, 5);
        for (const shift of [0, 1, 4, 8]) {
          // a band's labels at byte offset `shift` of a larger buffer (8-aligned for 0 and 8)
          const found: MeasuredObject[] = [];
          const labeler = new ObjectLabeler(width, height, options, 2, (o) => found.push(o));
          for (let y = 0; y < height; y += 5) {
            const rows = Math.min(5, height - y);
            const band = new Uint8Array(shift + rows * width + 3).subarray(shift, shift + rows * width);
            band.set(labels.slice(y * width, (y + rows) * width));
            const slice = labels.slice(y * width, (y + rows) * width);
            labeler.addBand(band, rows, { intensity: [slice, slice] });
          }
          labeler.finish();
          expect(found).toEqual(expected);
        }
      }
    }
  });

  it("a zero run stops at a word of seven zero bytes and 0x80, which is −0 as a double (equal to +0)", () => {
    // bytes 8..15 and 24..31 are such words, and a zero run reaches each at an 8-aligned index
    const width = 32;
    const band = new Uint8Array(width);
    band[15] = 128;
    band[31] = 128;
    const found: MeasuredObject[] = [];
    const labeler = new ObjectLabeler(width, 1, {}, 0, (o) => found.push(o));
    labeler.addBand(band, 1);
    labeler.finish();
    expect(found.map((o) => [o.bboxX, o.areaPx])).toEqual([
      [15, 1],
      [31, 1],
    ]);
  });

  it("outlines of every fixture case are valid polygons for shapely (GEOS) with the pixel areas", () => {
    const features = data.cases.flatMap((c) =>
      run(data.images[c.image]!, { ...c.options, outlines: true }, 6).map((o) => ({
        type: "Feature",
        geometry:
          o.outline!.length === 1 ? { type: "Polygon", coordinates: o.outline![0] } : { type: "MultiPolygon", coordinates: o.outline },
        properties: { id: o.id, area: o.areaPx },
      })),
    );
    const dir = mkdtempSync(join(tmpdir(), "czmodel-outlines-"));
    try {
      const path = join(dir, "outlines.geojson");
      writeFileSync(path, JSON.stringify({ type: "FeatureCollection", features }));
      const script = join(repoRoot, "test", "fixtures", "objects", "make.py");
      const got = JSON.parse(execFileSync("/usr/bin/python3", [script, "--check-geojson", path], { encoding: "utf8" }));
      expect(got.invalid).toEqual([]);
      expect(got.areas).toEqual(features.map((f) => f.properties.area));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const c of data.cases.filter((k) => Object.keys(k.options).length === 1)) {
    const image = data.images[c.image]!;
    it(`${c.image} ${c.options.connectivity}-connected: outlines are closed simple rings that cover exactly each object's pixels`, () => {
      const found = run(image, { ...c.options, outlines: true }, 5);
      for (const o of found) {
        const rings = o.outline!.flat();
        let area = 0;
        for (const polygon of o.outline!) {
          for (const [k, ring] of polygon.entries()) {
            expect(ring[0]).toEqual(ring[ring.length - 1]);
            const corners = ring.slice(0, -1).map(([x, y]) => `${x},${y}`);
            expect(new Set(corners).size).toBe(corners.length);
            const a = ringArea(ring);
            expect(k === 0 ? a > 0 : a < 0).toBe(true);
            area += a;
          }
        }
        expect(area).toBe(o.areaPx);
        for (let y = o.bboxY; y < o.bboxY + o.bboxHeight; y++) {
          for (let x = o.bboxX; x < o.bboxX + o.bboxWidth; x++) {
            expect(insideRings(rings, x + 0.5, y + 0.5)).toBe(c.instances[y * image.width + x] === o.id);
          }
        }
      }
    });
  }
});
