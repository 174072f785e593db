/**
 * The CLI on a CZI whose subblocks are JPEG-XR (test/helpers/jxr-czi.ts): `image-info` reads
 * it without a "cannot be decoded" warning, and `predict` with a real regression model gives
 * exactly the float32 output it gives for the twin CZI that stores the same pixels
 * uncompressed (a regression output follows the input, so any pixel difference would show;
 * the synthetic tiles hold no nuclei, so a segmentation model would answer one class).
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openImageFile } from "../../src/io/node/open-file.js";
import { JXR_MOSAIC, writeJxrCziPair } from "../helpers/jxr-czi.js";
import { testdata } from "../helpers/paths.js";
import { czmodel, parseJson, scratchDir } from "./helpers.js";

const KIDNEY = testdata("models", "simple_kidney_regmodel.czann");
let dir: string;
let files: { jxr: string; raw: string };

beforeAll(async () => {
  dir = await scratchDir("cli-jxr-czi-");
  files = await writeJxrCziPair(dir);
});

async function regression(path: string): Promise<Float32Array> {
  const image = await openImageFile(path);
  try {
    expect(image.info.sampleType).toBe("float32");
    return (await image.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, ...JXR_MOSAIC })) as Float32Array;
  } finally {
    await image.close();
  }
}

describe("czmodel on a JPEG-XR CZI", () => {
  it("image-info reads it", async () => {
    const r = await czmodel("image-info", files.jxr, "--json");
    expect(r.status, r.stderr).toBe(0);
    const info = parseJson<{ width: number; height: number; sampleType: string; details: { compression: string[] }; warnings?: string[] }>(
      r,
    );
    expect([info.width, info.height, info.sampleType]).toEqual([JXR_MOSAIC.width, JXR_MOSAIC.height, "uint8"]);
    expect(info.details.compression).toEqual(["JPEG-XR"]);
    expect(JSON.stringify(info)).not.toMatch(/cannot be decoded/);
  });

  it("predict gives the output of the same pixels stored uncompressed", async () => {
    const outputs: Float32Array[] = [];
    for (const input of [files.jxr, files.raw]) {
      const out = join(dir, `${input.endsWith(".jxr.czi") ? "jxr" : "raw"}-prediction.ome.tif`);
      const r = await czmodel("predict", KIDNEY, input, "-o", out, "--quiet", "--json");
      expect(r.status, r.stderr).toBe(0);
      outputs.push(await regression(out));
    }
    expect(outputs[0]!.length).toBe(JXR_MOSAIC.width * JXR_MOSAIC.height);
    expect(new Set(outputs[0]).size).toBeGreaterThan(100); // the values follow the image, not a constant
    expect(Buffer.from(outputs[0]!.buffer).equals(Buffer.from(outputs[1]!.buffer))).toBe(true);
  });
});
