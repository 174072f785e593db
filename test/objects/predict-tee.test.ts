/**
 * `ObjectsTee` driven directly with label tiles: the objects equal `objectsFromImage` on the
 * whole label image, to the last bit, whatever order a band's tiles come in and whether the
 * input rows were kept from the prediction's reads or (when the pass never saw them) are read
 * again, and whether a band is labelled at once or in parts while later writes arrive.
 */
import { describe, expect, it } from "vitest";
import { MemoryImageSink, MemoryImageSource, objectsFromImage, type MeasuredObject } from "../../src/browser.js";
import type { OutputImageInfo, Rect } from "../../src/io/types.js";
import { ObjectsTee } from "../../src/objects/predict-tee.js";
import { testdata } from "../helpers/paths.js";
import { pngSource } from "../engine/helpers.js";

const plane = { scene: 0, t: 0, c: 0, z: 0 };

/** The nuclei labels as one grey plane (class 1: the nuclei). */
async function nucleiLabels(): Promise<MemoryImageSource> {
  const png = await pngSource(testdata("images", "nuclei_0000_labels.png"));
  const { width, height, samplesPerPixel } = png.info;
  const data = await png.readRegion(plane, { x: 0, y: 0, width, height });
  const grey = new Uint8Array(width * height);
  for (let i = 0; i < grey.length; i++) grey[i] = data[i * samplesPerPixel]! > 0 ? 1 : 0;
  return new MemoryImageSource({ width, height, planes: [grey] });
}

describe("ObjectsTee with label tiles", () => {
  it("tiles in any order, input rows kept or read again: the objects of the whole label image", async () => {
    const labels = await nucleiLabels();
    const input = await pngSource(testdata("images", "nuclei_0000.png"));
    const { width, height } = labels.info;
    const want: MeasuredObject[] = [];
    await objectsFromImage(labels, input, { outlines: true }, (o) => want.push(o));
    expect(want.length).toBeGreaterThan(300);
    // 200-row bands written one tile after another; 720-row bands (labelled in parts of about a
    // megapixel, 528 rows here) with every tile written at once, so that a band completes while
    // the one above is still being labelled
    const cases = [
      { tile: 200, keepInput: true, together: false },
      { tile: 200, keepInput: false, together: false },
      { tile: 720, keepInput: true, together: true },
    ];
    for (const { tile, keepInput, together } of cases) {
      const got: MeasuredObject[] = [];
      const tee = new ObjectsTee({ outlines: true, onObject: (o) => got.push(o) }, input);
      const observed = tee.observeInput();
      const [sink] = tee.wrap([new MemoryImageSink({ tiles: true })], ["labels"]);
      const info: OutputImageInfo = {
        width,
        height,
        sizes: { scene: 1, t: 1, c: 1, z: 1 },
        samplesPerPixel: 1,
        sampleType: "uint8",
        kind: "labels",
      };
      await sink!.begin(info);
      const writes: Promise<void>[] = [];
      for (let y = 0; y < height; y += tile) {
        const rows = Math.min(tile, height - y);
        const rects: Rect[] = [];
        for (let x = 0; x < width; x += tile) rects.push({ x, y, width: Math.min(tile, width - x), height: rows });
        // the band's tiles right to left, every other band (runs then arrive out of column order)
        if ((y / tile) % 2 === 1) rects.reverse();
        for (const rect of rects) {
          // a prediction reads a window around each tile (border 16) through the observed input
          if (keepInput) {
            const x0 = Math.max(0, rect.x - 16);
            const y0 = Math.max(0, rect.y - 16);
            await observed.readRegion(plane, {
              x: x0,
              y: y0,
              width: Math.min(width, rect.x + rect.width + 16) - x0,
              height: Math.min(height, rect.y + rect.height + 16) - y0,
            });
          }
          const write = sink!.writeTile!(plane, rect, (await labels.readRegion(plane, rect)) as Uint8Array);
          if (together) writes.push(write);
          else await write;
        }
      }
      await Promise.all(writes);
      await sink!.finish();
      const name = `${tile}-row bands, input ${keepInput ? "kept" : "read again"}${together ? ", every tile written at once" : ""}`;
      expect(got.length, name).toBe(want.length);
      expect(JSON.stringify(got), name).toBe(JSON.stringify(want));
    }
  });
});
