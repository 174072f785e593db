/**
 * The browser face of objects: `objectsFromImage` over `MemoryImageSource`s (labels and a
 * two-channel intensity image as C planes, and as interleaved samples) and `writeInstances` into
 * a `MemoryImageSink`, against the scipy/skimage fixture (test/fixtures/objects/make.py).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { IdTrace, MemoryImageSink, MemoryImageSource, objectsFromImage, writeInstances, type MeasuredObject } from "../../src/browser.js";
import { fixture } from "../helpers/paths.js";

interface Image {
  width: number;
  height: number;
  labels: number[];
  intensity: number[][];
}
interface Case {
  image: string;
  options: { connectivity: 4 | 8; classes?: number[]; minArea?: number; maxArea?: number; excludeBorder?: boolean; fillHoles?: boolean };
  objects: Record<string, number>[];
  instances: number[];
}
const data = JSON.parse(readFileSync(fixture("objects", "cases.json"), "utf8")) as { images: Record<string, Image>; cases: Case[] };

describe("objectsFromImage and writeInstances", () => {
  for (const c of data.cases.filter((k) => k.image === "blobs" || k.options.fillHoles)) {
    it(`${c.image} ${JSON.stringify(c.options)}: table from image sources and the instance image equal the references`, async () => {
      const image = data.images[c.image]!;
      const { width, height } = image;
      const labels = new MemoryImageSource({ width, height, planes: [Uint8Array.from(image.labels)] });
      const planes = new MemoryImageSource({ width, height, planes: image.intensity.map((ch) => Uint16Array.from(ch)), sizes: { c: 2 } });
      const interleaved = new Uint16Array(width * height * 2);
      for (let i = 0; i < width * height; i++) for (let k = 0; k < 2; k++) interleaved[i * 2 + k] = image.intensity[k]![i]!;
      const samples = new MemoryImageSource({ width, height, planes: [interleaved], samplesPerPixel: 2, sampleOrder: "gray-alpha" });
      for (const intensity of [planes, samples]) {
        const found: MeasuredObject[] = [];
        const trace = new IdTrace();
        await objectsFromImage(labels, intensity, { ...c.options, bandRows: 5, trace }, (o) => found.push(o));
        expect(found.map((o) => [o.id, o.class, o.areaPx])).toEqual(c.objects.map((r) => [r.id, r.class, r.area_px]));
        if (c.options.fillHoles) expect(found.some((o) => o.filledHoles)).toBe(c.image !== "wide"); // the wide strip has none
        for (const [i, o] of found.entries()) {
          for (const [k, s] of o.intensity.entries()) {
            expect(s.min).toBe(c.objects[i]![`min_intensity_c${k}`]);
            expect(Math.abs(s.mean - c.objects[i]![`mean_intensity_c${k}`]!)).toBeLessThan(1e-9);
            expect(Math.abs(s.std - c.objects[i]![`std_intensity_c${k}`]!)).toBeLessThan(1e-9);
          }
        }
        if (c.options.fillHoles) continue; // the instance image does not fill holes
        const sink = new MemoryImageSink();
        await writeInstances(labels, { ...c.options, bandRows: 4 }, trace, sink);
        await sink.finish();
        expect(Array.from(sink.plane())).toEqual(c.instances);
      }
    });
  }
});
