/**
 * runNumericValidation (`validate --run`) on the real czmodel files as they are, re-packed at
 * 512×512, fed a real image tile (the nuclei image the segmentation model was trained on), and on
 * models that must fail: logits instead of probabilities, a wrong OutputShape, bytes that are
 * not a model.
 */
import { readFileSync } from "node:fs";
import { decode } from "fast-png";
import { describe, expect, it } from "vitest";
import { adaptModel } from "../../src/onnx/adapt.js";
import { runNumericValidationNode } from "../../src/validate/node/numeric.js";
import { parseOpList } from "../../src/onnx/ops/index.js";
import { runNumericValidation } from "../../src/validate/numeric.js";
import { testdata } from "../helpers/paths.js";
import { onnxFixture, ort, realModel } from "../onnx/helpers.js";

const SEG = "SingleClassSemanticSegmentation";

/** A 512×512 crop of the uint16 nuclei image, scaled to [0, 1] as ZEN does for 16-bit data. */
function nucleiTile(): Float32Array {
  const png = decode(readFileSync(testdata("images", "nuclei_0000.png")));
  expect([png.width, png.height, png.channels, png.depth]).toEqual([1960, 1416, 1, 16]);
  const tile = new Float32Array(512 * 512);
  for (let y = 0; y < 512; y++) for (let x = 0; x < 512; x++) tile[y * 512 + x] = png.data[(y + 400) * png.width + x + 600]! / 65535;
  return tile;
}

describe("runNumericValidation", () => {
  it("passes the real segmentation model as it is (1024×1024, synthetic tile) and reports time and memory", async () => {
    const r = await runNumericValidationNode(realModel("simple_nuclei_segmodel.czann"), {
      type: SEG,
      inputShape: [1024, 1024, 1],
      outputShape: [1024, 1024, 2],
      classes: ["Background", "Nucleus"],
    });
    expect(r.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.output!.dims).toEqual([1, 1024, 1024, 2]);
    expect(Math.abs(r.output!.channelSumRange![0] - 1)).toBeLessThan(1e-3);
    expect(r.timing!.tileMs).toBeGreaterThan(0);
    expect(r.memory!.peakBytes).toBeGreaterThan(0);
    expect(r.memory!.limitBytes).toBe(8 * 1024 ** 3);
    expect(r.findings.map((f) => f.code)).toEqual(["time-per-tile", "memory"]);
    expect(r.findings[1]!.message).toMatch(/^peak runtime memory for one tile: [\d.]+ MB \(.*\); ZEN's minimum GPU has 8 GB$/);
  });

  it.each([
    ["simple_nuclei_segmodel.czann", SEG, 2],
    ["simple_kidney_regmodel.czann", "Regression", 1],
    ["simple_pytorch_nuclei_segmodel_pytorch.czann", SEG, 2],
    ["simple_nuclei_segmodel_legacy.czseg", undefined, 2],
  ] as const)("passes %s re-packed at 512×512 with per-image-standardization", async (file, type, k) => {
    const { bytes } = adaptModel(realModel(file), { spatialDims: [512, 512], preprocessing: parseOpList("per-image-standardization") });
    const r = await runNumericValidation(
      bytes,
      { ...(type ? { type } : {}), inputShape: [512, 512, 1], outputShape: [512, 512, k], classes: k === 2 ? ["a", "b"] : [] },
      ort,
    );
    expect(r.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(r.output!.dims).toEqual([1, 512, 512, k]);
  });

  it("an InputShape of 2^31 is the error input-size before any tile is allocated (issue 12 point 10)", async () => {
    const r = await runNumericValidation(realModel("simple_nuclei_segmodel.czann"), { inputShape: [2 ** 31, 2 ** 31, 1] }, ort);
    expect(r.ok).toBe(false);
    expect(r.findings).toEqual([
      {
        severity: "error",
        code: "input-size",
        message:
          "InputShape [2147483648, 2147483648, 1] is larger than any tile can be (allowed: each side up to 16384, 67108864 pixels a tile)",
      },
    ]);
  });

  it("runs on a real image tile: the nuclei model finds nuclei in the nuclei image", async () => {
    const { bytes } = adaptModel(realModel("simple_nuclei_segmodel.czann"), { spatialDims: [512, 512] });
    const r = await runNumericValidationNode(
      bytes,
      { type: SEG, inputShape: [512, 512, 1], outputShape: [512, 512, 2] },
      { input: nucleiTile() },
    );
    expect(r.ok).toBe(true);
    // both classes occur: the probabilities span (almost) the whole [0, 1] range
    expect(r.output!.min).toBeLessThan(0.05);
    expect(r.output!.max).toBeGreaterThan(0.95);
  });

  it("flags logits from a segmentation model and names --postprocess softmax", async () => {
    const { bytes } = adaptModel(onnxFixture("unet_nchw.onnx"), { channelsFirst: true, spatialDims: [64, 64] });
    const r = await runNumericValidation(bytes, { type: SEG, inputShape: [64, 64, 3], outputShape: [64, 64, 2] }, ort);
    expect(r.ok).toBe(false);
    const e = r.findings.find((f) => f.severity === "error")!;
    expect(e.code).toBe("output-not-probabilities");
    expect(e.message).toMatch(/it looks like logits; pack the model with --postprocess softmax$/);
    // and with the softmax appended it passes
    const fixed = adaptModel(onnxFixture("unet_nchw.onnx"), {
      channelsFirst: true,
      spatialDims: [64, 64],
      postprocessing: parseOpList("softmax", "post"),
    });
    const ok = await runNumericValidation(fixed.bytes, { type: SEG, inputShape: [64, 64, 3], outputShape: [64, 64, 2] }, ort);
    expect(ok.findings.filter((f) => f.severity !== "info")).toEqual([]);
  });

  it("flags an output shape that differs from OutputShape, and a model that does not load", async () => {
    const r = await runNumericValidation(
      realModel("simple_pytorch_nuclei_segmodel_pytorch.czann"),
      { type: SEG, inputShape: [512, 512, 1], outputShape: [512, 512, 3] },
      ort,
      { where: "x.czann" },
    );
    expect(r.findings.filter((f) => f.severity === "error")).toEqual([
      {
        severity: "error",
        code: "output-shape",
        message: "the model returned [1, 512, 512, 2] for a [1, 512, 512, 1] tile, but OutputShape says [1, 512, 512, 3]",
        where: 'x.czann: output "output"',
      },
    ]);
    const bad = await runNumericValidation(new Uint8Array([8, 7, 1, 2, 3]), { inputShape: [8, 8, 1] }, ort);
    expect(bad.ok).toBe(false);
    expect(bad.findings[0]!.code).toBe("runtime-load");
    expect(bad.findings[0]!.message).toMatch(/^onnxruntime cannot load the model: /);
  });

  it("flags a test tile of the wrong size and a tile size the model cannot take", async () => {
    const model = realModel("simple_nuclei_segmodel.czann");
    const small = await runNumericValidation(model, { type: SEG, inputShape: [1024, 1024, 1] }, ort, { input: new Float32Array(10) });
    expect(small.findings[0]!.code).toBe("input-size");
    const wrong = await runNumericValidation(model, { type: SEG, inputShape: [512, 512, 1] }, ort, {
      sessionOptions: { logSeverityLevel: 4 },
    });
    expect(wrong.findings.map((f) => f.code)).toEqual(["run-failed"]);
  });
});
