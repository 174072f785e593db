/**
 * Issue 5 acceptance: predicting with a real model on a CZI plane gives the same labels as
 * predicting on the same pixels saved as TIFF by an independent writer (Python tifffile).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openImageFile, predictFile } from "../../src/index.js";
import { tempDir, testdata } from "../helpers/paths.js";

const model = testdata("models", "simple_nuclei_segmodel.czann");
const czi = testdata("czi", "CellDivision_T3_Z5_CH2_X240_Y170_comp1.czi");

async function labelsOf(path: string): Promise<Uint8Array> {
  const img = await openImageFile(path);
  try {
    const { width, height } = img.info;
    return (await img.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width, height })) as Uint8Array;
  } finally {
    await img.close();
  }
}

describe("prediction on a CZI plane", () => {
  it("equals prediction on the same pixels written as TIFF by tifffile", async () => {
    const dir = await tempDir();
    const plane = { scene: 0, t: 1, c: 1, z: 2 };
    const source = await openImageFile(czi);
    const { width, height } = source.info;
    const pixels = (await source.readRegion(plane, { x: 0, y: 0, width, height })) as Uint16Array;
    await source.close();
    const tif = join(dir, "plane.tif");
    execFileSync(
      "/usr/bin/python3",
      [
        "-c",
        "import sys, numpy, tifffile; a = numpy.frombuffer(sys.stdin.buffer.read(), '<u2').reshape(int(sys.argv[2]), int(sys.argv[3])); tifffile.imwrite(sys.argv[1], a, tile=(64, 64), compression='zlib')",
        tif,
        String(height),
        String(width),
      ],
      { input: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength) },
    );

    const fromCzi = join(dir, "from-czi.ome.tif");
    const fromTif = join(dir, "from-tif.ome.tif");
    const r = await predictFile(model, czi, fromCzi, { planes: { t: [1], c: [1], z: [2] } });
    await predictFile(model, tif, fromTif);
    expect(r.outputs[0]).toMatchObject({ width, height, sizes: { scene: 1, t: 1, c: 1, z: 1 } });
    const a = await labelsOf(fromCzi);
    const b = await labelsOf(fromTif);
    expect(a.length).toBe(width * height);
    expect(new Set(a)).toEqual(new Set([1, 2])); // both classes occur: a real segmentation, not a constant
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it("writes the CZI's scaling and channel names into the output's metadata", async () => {
    const dir = await tempDir();
    const twin = testdata("czi", "CellDivision_T3_Z5_CH2_X240_Y170.czi"); // the comp1 file carries no metadata XML
    const out = join(dir, "labels.ome.tif");
    await predictFile(model, twin, out, { planes: { t: [0], z: [2] } });
    const img = await openImageFile(out);
    await img.close();
    expect(img.info.sizes).toEqual({ scene: 1, t: 1, c: 2, z: 1 });
    expect(img.info.channelNames).toEqual(["LED555 labels", "LED470 labels"]);
    expect(img.info.physicalSize?.x).toBeCloseTo(9.0577e-8, 11);
    expect(img.info.physicalSize?.y).toBeCloseTo(9.0577e-8, 11);
    // class names and colours are in the OME-XML too (read independently by tifffile)
    const ome = execFileSync("/usr/bin/python3", [
      "-c",
      "import sys, tifffile; print(tifffile.TiffFile(sys.argv[1]).ome_metadata)",
      out,
    ]).toString();
    expect(ome).toContain('<M K="1">Background</M>');
    expect(ome).toContain('<M K="2">Nucleus</M>');
    expect(ome).toMatch(/PhysicalSizeX="0\.0905766741/);
  });
});
