/**
 * Acceptance on real ZEISS models and real data (../shared/testdata): the nuclei segmentation
 * model on a 1960×1416 uint16 image (needs tiling with its 1024² input) must reach IoU >= 0.79
 * against the ground-truth labels; the kidney denoising model on the RGB-stored low-SNR image
 * must reach PSNR >= 30 dB against the high-SNR image.
 */
import { describe, expect, it } from "vitest";
import { MemoryImageSink } from "../../src/io/memory/index.js";
import { predictNode } from "../../src/engine/node/index.js";
import type { EngineModel } from "../../src/engine/types.js";
import { testdata } from "../helpers/paths.js";
import { iou, modelBytes, nucleiEngineModel, pngSource, psnr, pytorchNucleiEngineModel, readPng } from "./helpers.js";

describe("real models", () => {
  it("nuclei segmentation: tiled 2x2 with 1024² tiles, IoU >= 0.79 against the labels", async () => {
    const model: EngineModel = { ...(await nucleiEngineModel()), id: "34c8660b-2db4-425d-a16d-d6e803171c9a" };
    const source = await pngSource(testdata("images", "nuclei_0000.png"));
    const sink = new MemoryImageSink();
    const events: number[] = [];
    const result = await predictNode(model, source, sink, { onProgress: (e) => events.push(e.tilesDone) });
    expect(result.tiles).toBe(4);
    expect(result.tilesPerPlane).toBe(4);
    expect(sink.info?.sampleType).toBe("uint8");
    expect(sink.info?.classes).toEqual([
      { value: 1, name: "Background", color: [255, 0, 0] },
      { value: 2, name: "Nucleus", color: [0, 255, 0] },
    ]);
    expect(events.at(-1)).toBe(4);
    const labels = sink.plane();
    const truth = await readPng(testdata("images", "nuclei_0000_labels.png"));
    const score = iou(
      labels.length,
      (i) => labels[i] === 2,
      (i) => truth.data[i] !== 0,
    );
    console.log(`nuclei IoU ${score.toFixed(4)}, ${result.elapsedMs.toFixed(0)} ms, ${result.megapixelsPerSecond.toFixed(2)} MP/s`);
    expect(score).toBeGreaterThanOrEqual(0.79);
  });

  it("legacy .czseg (czmodel LegacyConverter) takes raw intensities: IoU >= 0.75 raw, ~0 when scaled", async () => {
    const model: EngineModel = {
      name: "Simple_Nuclei_SegmentationModel_Legacy",
      kind: "segmentation",
      onnx: await modelBytes(testdata("models", "simple_nuclei_segmodel_legacy.czseg")),
      tile: null, // legacy XML has no tile: taken from the ONNX input (1024²)
      border: [8, 8],
      inputChannels: 1,
      classes: [
        { name: "Background", color: [255, 0, 0], value: 1 },
        { name: "Nucleus", color: [0, 255, 0], value: 2 },
      ],
      colorHandling: "split-rgb",
      scaleInputs: false, // no ScaleInputsByBitdepth in the XML
    };
    const source = await pngSource(testdata("images", "nuclei_0000.png"));
    const truth = await readPng(testdata("images", "nuclei_0000_labels.png"));
    const raw = new MemoryImageSink();
    const r = await predictNode(model, source, raw, {});
    expect(r.tile).toEqual([1024, 1024]);
    expect(r.inputScaling).toBe("none (the model does not scale inputs)");
    const l = raw.plane();
    const rawScore = iou(
      l.length,
      (i) => l[i] === 2,
      (i) => truth.data[i] !== 0,
    );
    const scaled = new MemoryImageSink();
    await predictNode(model, source, scaled, { rescale: "on" });
    const s = scaled.plane();
    const scaledScore = iou(
      s.length,
      (i) => s[i] === 2,
      (i) => truth.data[i] !== 0,
    );
    console.log(`legacy nuclei IoU raw ${rawScore.toFixed(4)}, scaled ${scaledScore.toFixed(4)}`);
    expect(rawScore).toBeGreaterThanOrEqual(0.75);
    expect(scaledScore).toBeLessThan(0.1);
  });

  it("PyTorch-made CZANN (512² input, MinOverlap 64): 20 tiles, IoU >= 0.75", async () => {
    const model = await pytorchNucleiEngineModel();
    const source = await pngSource(testdata("images", "nuclei_0000.png"));
    const sink = new MemoryImageSink();
    const r = await predictNode(model, source, sink, {});
    expect(r.tiles).toBe(20);
    const l = sink.plane();
    const truth = await readPng(testdata("images", "nuclei_0000_labels.png"));
    const score = iou(
      l.length,
      (i) => l[i] === 2,
      (i) => truth.data[i] !== 0,
    );
    console.log(`pytorch nuclei IoU ${score.toFixed(4)}`);
    expect(score).toBeGreaterThanOrEqual(0.75);
  });

  it("kidney regression: RGB-stored grey in, float32 out, PSNR >= 30 dB against high SNR", async () => {
    const model: EngineModel = {
      name: "Simple_Kidney_RegressionModel",
      kind: "regression",
      onnx: await modelBytes(testdata("models", "simple_kidney_regmodel.czann")),
      tile: [1024, 1024],
      border: [4, 4],
      inputChannels: 1,
      outputChannels: 1,
      scaleInputs: true,
    };
    const source = await pngSource(testdata("images", "kidney_dapi_lowsnr.png"));
    const sink = new MemoryImageSink();
    const result = await predictNode(model, source, sink, {});
    expect(result.channelMapping).toBe("rgb -> gray (mean of R, G, B)");
    expect(result.inputScaling).toBe("divide by 255 (uint8 range)");
    expect(sink.info).toMatchObject({ sampleType: "float32", samplesPerPixel: 1, kind: "regression" });
    const out = sink.plane() as Float32Array;
    const high = await readPng(testdata("images", "kidney_dapi_highsnr.png"));
    const low = await readPng(testdata("images", "kidney_dapi_lowsnr.png"));
    const ref = Float64Array.from({ length: out.length }, (_, i) => high.data[i * 3]! / 255);
    const input = Float64Array.from({ length: out.length }, (_, i) => low.data[i * 3]! / 255);
    const score = psnr(out, ref);
    const baseline = psnr(input, ref);
    console.log(`kidney PSNR ${score.toFixed(2)} dB (input alone ${baseline.toFixed(2)} dB)`);
    expect(baseline).toBeLessThan(20);
    expect(score).toBeGreaterThanOrEqual(30);
  });
});
