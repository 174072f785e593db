/**
 * Intensity channels of a colour image are R, G, B whatever order the image stores its samples
 * in: a 5 × 5 image stored B, G, R (as a CZI stores colour) measures as hand-computed red, green
 * and blue means, and exactly as the same pixels stored R, G, B, through `objectsFromImage`
 * (with and without filled holes, whose pixels are read back) and through `ObjectsTee` (the
 * objects of `predict --objects`, input rows kept or read again).
 */
import { describe, expect, it } from "vitest";
import { MemoryImageSink, MemoryImageSource, objectsFromImage, type MeasuredObject } from "../../src/browser.js";
import type { OutputImageInfo } from "../../src/io/types.js";
import { ObjectsTee } from "../../src/objects/predict-tee.js";

const W = 5;
const plane = { scene: 0, t: 0, c: 0, z: 0 };
// object 1: a ring around the hole at index 6; object 2: pixels 9 and 14
const LABELS = [1, 1, 1, 0, 0, 1, 0, 1, 0, 2, 1, 1, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const red = (i: number) => (i === 6 ? 90 : i);
const green = (i: number) => 100 + 2 * i;
const blue = (i: number) => 200 - i;

function colour(order: "rgb" | "bgr"): MemoryImageSource {
  const data = new Uint8Array(W * W * 3);
  for (let i = 0; i < W * W; i++) {
    const rgb = [red(i), green(i), blue(i)];
    data.set(order === "rgb" ? rgb : rgb.reverse(), i * 3);
  }
  return new MemoryImageSource({ width: W, height: W, planes: [data], samplesPerPixel: 3, sampleOrder: order });
}

const labels = () => new MemoryImageSource({ width: W, height: W, planes: [Uint8Array.from(LABELS)] });

function mean(pixels: number[], f: (i: number) => number): number {
  return pixels.reduce((a, i) => a + f(i), 0) / pixels.length;
}

async function measure(intensity: MemoryImageSource, fillHoles: boolean): Promise<MeasuredObject[]> {
  const found: MeasuredObject[] = [];
  await objectsFromImage(labels(), intensity, { connectivity: 4, fillHoles, bandRows: 2 }, (o) => found.push(o));
  return found;
}

describe("intensity channels of a B, G, R image", () => {
  for (const fillHoles of [false, true]) {
    it(`objectsFromImage${fillHoles ? " with filled holes" : ""}: c0 red, c1 green, c2 blue`, async () => {
      const bgr = await measure(colour("bgr"), fillHoles);
      const ring = fillHoles ? [0, 1, 2, 5, 6, 7, 10, 11, 12] : [0, 1, 2, 5, 7, 10, 11, 12];
      const cases: [MeasuredObject, number[]][] = [
        [bgr[0]!, ring],
        [bgr[1]!, [9, 14]],
      ];
      for (const [o, pixels] of cases) {
        expect(o.intensity.map((s) => s.mean)).toEqual([mean(pixels, red), mean(pixels, green), mean(pixels, blue)]);
        expect(o.intensity.map((s) => s.max)).toEqual([
          Math.max(...pixels.map(red)),
          Math.max(...pixels.map(green)),
          Math.max(...pixels.map(blue)),
        ]);
      }
      expect(bgr[0]!.intensity[0]!.max).toBe(fillHoles ? 90 : 12);
      expect(JSON.stringify(bgr)).toBe(JSON.stringify(await measure(colour("rgb"), fillHoles)));
    });
  }

  it("ObjectsTee (predict --objects): the same objects as objectsFromImage on the R, G, B pixels", async () => {
    const want = await measure(colour("rgb"), false);
    const info: OutputImageInfo = {
      width: W,
      height: W,
      sizes: { scene: 1, t: 1, c: 1, z: 1 },
      samplesPerPixel: 1,
      sampleType: "uint8",
      kind: "labels",
    };
    for (const keepInput of [true, false]) {
      const got: MeasuredObject[] = [];
      const input = colour("bgr");
      const tee = new ObjectsTee({ connectivity: 4, onObject: (o) => got.push(o) }, input);
      const observed = tee.observeInput();
      const [sink] = tee.wrap([new MemoryImageSink({ tiles: true })], ["labels"]);
      await sink!.begin(info);
      for (const y of [0, 3]) {
        const rect = { x: 0, y, width: W, height: y === 0 ? 3 : 2 };
        if (keepInput) await observed.readRegion(plane, rect);
        await sink!.writeTile!(plane, rect, Uint8Array.from(LABELS.slice(y * W, (y + rect.height) * W)));
      }
      await sink!.finish();
      expect(JSON.stringify(got), keepInput ? "input kept" : "input read again").toBe(JSON.stringify(want));
    }
  });
});
