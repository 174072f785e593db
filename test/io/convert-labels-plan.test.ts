/**
 * Which converted images stay label images (`planConversion`): one integer sample per pixel
 * with recorded classes becomes a `labels` output with those classes, whatever planes it has;
 * float samples, colour images and images without classes stay `image`.
 */
import { describe, expect, it } from "vitest";
import { planConversion } from "../../src/io/convert-image.js";
import type { ImageInfo, OutputClass } from "../../src/io/types.js";

const classes: OutputClass[] = [
  { value: 1, name: "Background", color: [255, 0, 0] },
  { value: 2, name: "Nucleus", color: [0, 255, 0] },
];

function info(over: Partial<ImageInfo>): ImageInfo {
  return {
    format: "ome-tiff",
    width: 8,
    height: 6,
    scenes: [{ width: 8, height: 6 }],
    sizes: { scene: 1, t: 1, c: 1, z: 1 },
    samplesPerPixel: 1,
    sampleOrder: "gray",
    sampleType: "uint8",
    ...over,
  };
}

describe("planConversion of a label image", () => {
  it.each(["uint8", "uint16"] as const)("%s samples with classes: kind labels with the classes", (sampleType) => {
    const { output } = planConversion(info({ sampleType, labelClasses: classes, sizes: { scene: 1, t: 2, c: 1, z: 3 } }));
    expect(output.kind).toBe("labels");
    expect(output.classes).toEqual(classes);
    expect(output.sampleType).toBe(sampleType);
  });

  it.each([
    ["float32 samples", info({ sampleType: "float32", labelClasses: classes })],
    ["three samples per pixel", info({ samplesPerPixel: 3, sampleOrder: "rgb", labelClasses: classes })],
    ["no recorded classes", info({})],
    ["an empty class list", info({ labelClasses: [] })],
  ])("%s: kind image, no classes", (_what, source) => {
    const { output } = planConversion(source);
    expect(output.kind).toBe("image");
    expect(output.classes).toBeUndefined();
  });
});
