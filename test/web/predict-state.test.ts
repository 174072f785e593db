/**
 * The Predict flow's state functions (`web/src/predict-state.ts`) without a DOM: when Predict
 * is enabled, what the option fields send to the worker, which plane a result belongs to,
 * the overlay colour table and legend, and the texts and file names the page shows.
 */
import { describe, expect, it } from "vitest";
import type { ModelFile } from "../../src/container/index.js";
import type { ImageInfo, OutputImageInfo } from "../../src/io/types.js";
import type { PredictSummary } from "../../web/src/protocol.js";
import {
  canRun,
  createPredictState,
  doneText,
  imageRows,
  initiallyHidden,
  legendClasses,
  objectRows,
  objectsFileName,
  overlayColors,
  overviewSize,
  planeAxes,
  planeOf,
  planeStatus,
  pngExportable,
  predictSettings,
  progressFraction,
  progressText,
  resultFileName,
  resultShown,
  sceneSize,
  setClassShown,
  summaryData,
  summaryRows,
  type PredictState,
} from "../../web/src/predict-state.js";

const PLANE0 = { scene: 0, t: 0, c: 0, z: 0 };

function imageInfo(over: Partial<ImageInfo> = {}): ImageInfo {
  return {
    format: "OME-TIFF",
    width: 4000,
    height: 1000,
    scenes: [{ width: 4000, height: 1000 }],
    sizes: { scene: 1, t: 1, c: 1, z: 1 },
    samplesPerPixel: 1,
    sampleOrder: "gray",
    sampleType: "uint16",
    ...over,
  };
}

function output(over: Partial<OutputImageInfo> = {}): OutputImageInfo {
  return {
    width: 512,
    height: 256,
    sizes: { scene: 1, t: 1, c: 1, z: 1 },
    samplesPerPixel: 1,
    sampleType: "uint8",
    kind: "labels",
    classes: [
      { value: 1, name: " Background ", color: [0, 0, 0] },
      { value: 2, name: "Nuclei", color: [255, 0, 0] },
    ],
    ...over,
  };
}

function summary(out: OutputImageInfo = output(), notes: string[] = []): PredictSummary {
  return {
    model: { name: "nuclei", kind: "segmentation" },
    tile: [256, 256],
    border: [8, 8],
    tiles: 4,
    channelMapping: "gray → 1",
    inputScaling: "x / 65535",
    notes,
    elapsedMs: 2500,
    megapixels: 0.13,
    megapixelsPerSecond: 0.0524,
    output: out,
    threads: 2,
    device: "wasm",
  };
}

describe("predict state", () => {
  it("enables Predict only with a model and an image and nothing running", () => {
    const s: PredictState = createPredictState();
    expect(canRun(s)).toBe(false);
    s.model = { file: new File([], "m.czann"), model: {} as ModelFile, classes: [] };
    expect(canRun(s)).toBe(false);
    s.image = { file: new File([], "i.png"), info: imageInfo() };
    expect(canRun(s)).toBe(true);
    s.busy = true;
    expect(canRun(s)).toBe(false);
  });

  it("sizes overviews to at most 2048 a side, keeping the aspect", () => {
    expect(overviewSize(4000, 1000)).toEqual([2048, 512]);
    expect(overviewSize(100, 50)).toEqual([100, 50]);
    expect(overviewSize(100_000, 1)).toEqual([2048, 1]);
  });

  it("reads the plane from the selectors and the scene's own size", () => {
    expect(planeOf({})).toEqual(PLANE0);
    expect(planeOf({ scene: "1", z: "3" })).toEqual({ scene: 1, t: 0, c: 0, z: 3 });
    const info = imageInfo({
      scenes: [
        { width: 10, height: 20 },
        { width: 30, height: 40 },
      ],
      sizes: { scene: 2, t: 1, c: 1, z: 1 },
    });
    expect(sceneSize(info, { ...PLANE0, scene: 1 })).toEqual([30, 40]);
    expect(sceneSize(info, { ...PLANE0, scene: 5 })).toEqual([4000, 1000]);
  });

  it("offers a selector per axis with more than one index, channels by name", () => {
    const axes = planeAxes(imageInfo({ sizes: { scene: 1, t: 2, c: 2, z: 1 }, channelNames: ["DAPI", "GFP"] }));
    expect(axes).toEqual([
      { axis: "t", label: "Time point", options: ["0", "1"] },
      { axis: "c", label: "Channel", options: ["DAPI", "GFP"] },
    ]);
    expect(planeAxes(imageInfo())).toEqual([]);
  });

  it("turns the option fields into the worker's settings", () => {
    expect(predictSettings(PLANE0, { minConfidence: " ", blend: "gaussian", tile: "" })).toEqual({
      plane: PLANE0,
      device: "auto",
      blend: "gaussian",
    });
    expect(predictSettings(PLANE0, { minConfidence: "0.5", blend: "none", tile: "256 x 512", device: "webgpu" })).toEqual({
      plane: PLANE0,
      device: "webgpu",
      minConfidence: 0.5,
      blend: "none",
      tile: [256, 512],
    });
    expect(predictSettings(PLANE0, { minConfidence: "", blend: "linear", tile: "64, 64,32" }).tile).toEqual([64, 64, 32]);
    expect(predictSettings(PLANE0, { minConfidence: "", blend: "none", tile: "", device: "cuda" }).device).toBe("auto");
  });

  it("knows which plane the result is for (a 3-D result covers every Z)", () => {
    const result = { summary: summary(), plane: { scene: 0, t: 1, c: 0, z: 2 } };
    expect(resultShown(undefined, PLANE0)).toBe(false);
    expect(resultShown(result, { scene: 0, t: 1, c: 3, z: 2 })).toBe(true);
    expect(resultShown(result, { scene: 0, t: 1, c: 0, z: 0 })).toBe(false);
    expect(resultShown(result, { scene: 0, t: 0, c: 0, z: 2 })).toBe(false);
    const stack = { summary: summary(output({ sizes: { scene: 1, t: 1, c: 1, z: 5 } })), plane: PLANE0 };
    expect(resultShown(stack, { ...PLANE0, z: 4 })).toBe(true);
    expect(planeStatus(result, PLANE0)).toMatch(/result is for another plane/);
    expect(planeStatus(result, result.plane)).toBe("");
    expect(planeStatus(undefined, PLANE0)).toBe("");
  });

  it("colours the overlay by label value, hidden classes and gaps transparent", () => {
    const s = summary(
      output({
        classes: [
          { value: 3, name: "A", color: [1, 2, 3] },
          { value: 1, name: "B", color: [4, 5, 6] },
        ],
      }),
    );
    expect(overlayColors(s, new Set([1]))).toEqual([null, null, null, [1, 2, 3]]);
    expect(overlayColors(s, new Set())).toEqual([null, [4, 5, 6], null, [1, 2, 3]]);
    expect(overlayColors(undefined, new Set())).toEqual([]);
  });

  it("hides the background at first; the legend lists the classes of a labels output only", () => {
    const s = summary();
    const hidden = initiallyHidden(s);
    expect([...hidden]).toEqual([1]);
    setClassShown(hidden, 1, true);
    setClassShown(hidden, 2, false);
    expect([...hidden]).toEqual([2]);
    expect(legendClasses(s).map((c) => c.value)).toEqual([1, 2]);
    expect(legendClasses(summary(output({ kind: "probabilities" })))).toEqual([]);
    expect(legendClasses(summary(output({ classes: undefined })))).toEqual([]);
  });

  it("summarises progress and results", () => {
    const p = {
      tilesDone: 3,
      tilesTotal: 4,
      megapixelsDone: 1.25,
      megapixelsTotal: 2,
      elapsedMs: 1000,
      megapixelsPerSecond: 1.5,
      etaMs: 1200,
    };
    expect(progressFraction(p)).toBe(0.75);
    expect(progressFraction({ ...p, tilesTotal: 0 })).toBe(0);
    expect(progressText(p)).toBe("3 / 4 tiles, 1.3 / 2.0 MP, 1.50 MP/s, about 2 s left");
    expect(progressText({ ...p, tilesDone: 4 })).toBe("4 / 4 tiles, 1.3 / 2.0 MP, 1.50 MP/s");
    const s = summary(output(), ["note a", "note b"]);
    expect(doneText(s)).toBe("Done: 4 tiles in 2.5 s, 0.05 MP/s.");
    expect(summaryData(s)).toEqual({ tiles: "4", elapsedMs: "2500", megapixels: "0.13", device: "wasm" });
    const rows = Object.fromEntries(summaryRows(s));
    expect(rows.Output).toBe("labels: 512 × 256, 1 × uint8");
    expect(rows["Tile / border"]).toBe("256 × 256 / 8, 8 px");
    expect(rows.Notes).toBe("note a; note b");
    expect(rows.Device).toBe("wasm");
    const fellBack = { ...s, deviceFallback: "WebGPU not used: this browser has no WebGPU (navigator.gpu is missing)" };
    expect(Object.fromEntries(summaryRows(fellBack)).Device).toBe(
      "wasm (WebGPU not used: this browser has no WebGPU (navigator.gpu is missing))",
    );
    expect(summaryRows(summary()).map(([k]) => k)).not.toContain("Notes");
    expect(rows.Objects).toBeUndefined();
  });

  it("lists the object count per class, the hovered object's measurements and the objects' file names", () => {
    const objects = {
      total: 7,
      perClass: [
        { value: 2, name: "Nucleus", count: 7 },
        { value: 3, name: "Debris", count: 0 },
      ],
    };
    expect(Object.fromEntries(summaryRows({ ...summary(), objects })).Objects).toBe("Nucleus: 7, Debris: 0");
    const details = {
      id: 12,
      value: 2,
      className: "Nucleus",
      measurements: [
        ["area_px", 345],
        ["centroid_y", 10.123456789],
        ["solidity", 1 / 3],
      ] as [string, number][],
    };
    expect(objectRows(details)).toEqual([
      ["id", "12"],
      ["class", "2: Nucleus"],
      ["area_px", "345"],
      ["centroid_y", "10.1235"],
      ["solidity", "0.333333"],
    ]);
    expect(objectsFileName("cells.ome.tif", "csv")).toBe("cells_objects.csv");
    expect(objectsFileName("a.b.czi", "geojson")).toBe("a.b_outlines.geojson");
  });

  it("describes the image", () => {
    const rows = Object.fromEntries(imageRows("a.czi", 2048, imageInfo({ sizes: { scene: 1, t: 1, c: 3, z: 7 }, significantBits: 12 })));
    expect(rows.Image).toBe("a.czi (2.00 KiB)");
    expect(rows.Size).toBe("4000 × 1000 px, C=3, Z=7");
    expect(rows.Pixels).toBe("1 × uint16 (gray), 12 bits");
  });

  it("allows PNG only for one plane of one integer sample, and names the files", () => {
    expect(pngExportable(output())).toBe(true);
    expect(pngExportable(output({ sampleType: "float32" }))).toBe(false);
    expect(pngExportable(output({ samplesPerPixel: 3 }))).toBe(false);
    expect(pngExportable(output({ sizes: { scene: 1, t: 2, c: 1, z: 1 } }))).toBe(false);
    expect(resultFileName("cells.ome.tif", "labels", "png")).toBe("cells_labels.png");
    expect(resultFileName("cells.OME.TIFF", "probabilities", "ome-tiff")).toBe("cells_prediction.ome.tiff");
    expect(resultFileName("a.b.czi", "labels", "ome-tiff")).toBe("a.b_labels.ome.tiff");
  });
});
