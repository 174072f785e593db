/**
 * `planPrediction` on its own, without onnxruntime: tile, border, tile grid, plane counts,
 * batch and notes for model / session / image facts written by hand, the errors a prediction
 * with those facts reports, and that a plan survives a JSON round trip (it is plain data).
 */
import { describe, expect, it } from "vitest";
import { planGeometry, planInput, planPrediction, type ModelFacts, type PlanOptions, type SessionFacts } from "../../src/engine/plan.js";
import type { ImageInfo, PlaneSizes, SampleOrder } from "../../src/io/types.js";

function image(width: number, height: number, sizes: Partial<PlaneSizes> = {}, sampleOrder: SampleOrder = "gray"): ImageInfo {
  return {
    format: "memory",
    width,
    height,
    scenes: [{ width, height }],
    sizes: { scene: 1, t: 1, c: 1, z: 1, ...sizes },
    samplesPerPixel: sampleOrder === "rgb" ? 3 : 1,
    sampleOrder,
    sampleType: "uint16",
  };
}

/** Session facts of an NHWC / NDHWC model: `null` = dynamic dim. */
function session(spatialIn: (number | null)[], batch: number | null = null, outputChannels: number | null = 2): SessionFacts {
  return {
    inputName: "input",
    outputName: "output",
    rank: spatialIn.length + 2,
    fixedBatch: batch,
    batchDynamic: batch === null,
    spatialIn,
    outputChannels,
  };
}

/** A regression model with dynamic spatial dims, like test fixture fcn3.onnx. */
const dynamic2D: ModelFacts = {
  name: "fcn3",
  kind: "regression",
  tile: null,
  border: [4, 4],
  inputChannels: 1,
  scaleInputs: true,
  tileMultiple: 1,
};
/** A segmentation model with a fixed 512² input, like the real nuclei models. */
const fixed2D: ModelFacts = {
  name: "nuclei",
  id: "0b0e6f44-0000-4000-8000-000000000001",
  kind: "segmentation",
  tile: [512, 512],
  border: [32, 32],
  inputChannels: 1,
  outputChannels: 2,
  scaleInputs: true,
};

const plan = (model: ModelFacts, img: ImageInfo, facts: SessionFacts, options: PlanOptions = {}) =>
  planPrediction({ model, image: img, session: facts, options });

describe("planPrediction", () => {
  it("dynamic model, requested tile and batch: 2 × 4 tiles of 64² in batches of 3", () => {
    const p = plan(dynamic2D, image(184, 100), session([null, null]), { tile: [64, 64], batch: 3 });
    expect(p.tile).toEqual([64, 64]);
    expect(p.border).toEqual([4, 4]);
    expect(p.grid.ys.map((t) => [t.start, t.end])).toEqual([
      [0, 50],
      [50, 100],
    ]);
    expect(p.grid.xs).toHaveLength(4);
    expect(p.tilesPerPlane).toBe(8);
    expect(p.totalTiles).toBe(8);
    expect(p.batch).toEqual({ max: 3, run: 3, dynamic: true });
    expect(p.outputs).toEqual(["regression"]);
    expect(p.planes.stacks).toHaveLength(1);
    expect(p.megapixelsTotal).toBeCloseTo((184 * 100) / 1e6, 12);
    expect(p.notes).toEqual([]);
    expect(p.model).toEqual({ name: "fcn3", kind: "regression" });
  });

  it("fixed 512² session: tile from the session, one stack per T plane, fixed batch notes an ignored --batch", () => {
    const p = plan(fixed2D, image(1000, 700, { t: 2 }), session([512, 512], 1), { batch: 4, output: "both" });
    expect(p.tile).toEqual([512, 512]);
    expect(p.border).toEqual([32, 32]);
    // Centres up to 512 − 2·32 = 448 pixels: 700 → 2 rows, 1000 → 3 columns.
    expect([p.grid.ys.length, p.grid.xs.length]).toEqual([2, 3]);
    expect(p.tilesPerPlane).toBe(6);
    expect(p.planes.stacks).toHaveLength(2);
    expect(p.planes.outSizes).toEqual({ scene: 1, t: 2, c: 1, z: 1 });
    expect(p.totalTiles).toBe(12);
    expect(p.batch).toEqual({ max: 1, run: 1, dynamic: false });
    expect(p.notes).toEqual(["the model's batch size is fixed to 1; --batch 4 ignored"]);
    expect(p.outputs).toEqual(["labels", "probabilities"]);
    expect(p.minConfidence).toBeNull();
    expect(p.model.id).toBe(fixed2D.id);
    expect(p.megapixelsTotal).toBeCloseTo((2 * 1000 * 700) / 1e6, 12);
  });

  it("default dynamic tile: the extent rounded up to 16 and capped at 1024, padded when the image is smaller; default batch by pixels", () => {
    const model: ModelFacts = { ...dynamic2D, tileMultiple: undefined };
    const p = plan(model, image(3000, 200), session([null, null]));
    expect(p.tile).toEqual([208, 1024]);
    expect(p.grid.padded).toBe(true);
    expect(p.notes).toEqual(["the image is smaller than the tile on some axis: padded by reflection (numpy 'reflect')"]);
    // Centres up to 1024 − 2·4 = 1016 wide: 3 columns. 1 MP / (208 · 1024) = 4.9 tiles → the
    // default cap of 4, and no more than the 3 tiles there are.
    expect(p.tilesPerPlane).toBe(3);
    expect(p.batch).toEqual({ max: 3, run: 3, dynamic: true });
  });

  it("a big requested tile lowers the default batch; a tile off the multiple is snapped with a note", () => {
    const model: ModelFacts = { ...dynamic2D, tileMultiple: 16 };
    const p = plan(model, image(4096, 4096), session([null, null]), { tile: [1000, 1000] });
    expect(p.tile).toEqual([992, 992]);
    expect(p.notes).toEqual(["tile size 1000 snapped to 992 (a multiple of 16)", "tile size 1000 snapped to 992 (a multiple of 16)"]);
    // 1 MP / 992² = 1.07 tiles per batch.
    expect(p.batch).toEqual({ max: 1, run: 1, dynamic: true });
  });

  it("3-D model: a 2-value border gets 0 on Z; a whole Z stack per stack; each C plane its own stack", () => {
    const model: ModelFacts = { name: "vol", kind: "regression", tile: [8, 64, 64], border: [4, 4], inputChannels: 1, scaleInputs: false };
    const p = plan(model, image(100, 60, { z: 10, c: 3 }), session([8, 64, 64], 1, 1));
    expect(p.dims).toBe(3);
    expect(p.extent).toEqual([10, 60, 100]);
    expect(p.tile).toEqual([8, 64, 64]);
    expect(p.border).toEqual([0, 4, 4]);
    expect(p.planes.stacks).toHaveLength(3);
    expect(p.planes.stacks[0]!.outPlanes).toHaveLength(10);
    const zs = "zs" in p.grid ? p.grid.zs.length : 0;
    expect(zs).toBe(2);
    expect(p.tilesPerPlane).toBe(zs * p.grid.ys.length * p.grid.xs.length);
    expect(p.totalTiles).toBe(3 * p.tilesPerPlane);
  });

  it("a plane filter and an image-statistics model: fewer stacks, and a note when a plane takes several tiles", () => {
    const model: ModelFacts = { ...fixed2D, imageStatistics: [{ node: "mean", opType: "ReduceMean", reason: "over axes [1, 2]" }] };
    const p = plan(model, image(1000, 700, { t: 5 }), session([512, 512], 1), { planes: { t: [1, 3] } });
    expect(p.planes.stacks).toHaveLength(2);
    expect(p.totalTiles).toBe(12);
    expect(p.notes).toHaveLength(1);
    expect(p.notes[0]).toMatch(/this image takes 6 tiles per plane$/);
  });

  it("is plain data: a JSON round trip gives the same plan", () => {
    const p = plan(fixed2D, image(1000, 700, { t: 2 }), session([512, 512], 1), { minConfidence: 0.5, blend: "linear" });
    expect(p.minConfidence).toBe(0.5);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  it("without session facts, the geometry is the one a session that fixes nothing gives", () => {
    const img = image(184, 100);
    const options: PlanOptions = { tile: [64, 64] };
    const input = planInput(dynamic2D, img, options);
    expect(planGeometry(dynamic2D, input, options, null)).toEqual(planGeometry(dynamic2D, input, options, session([null, null])));
  });

  it("reports the errors a prediction reports, without a session", () => {
    expect(() => plan(fixed2D, image(1000, 700), session([512, 512], 1), { tile: [256, 256] })).toThrow(/fixed input of 512x512/);
    expect(() => plan(dynamic2D, image(184, 100), session([null, null]), { tile: [64, 64], border: 32 })).toThrow(
      /border 32 per side is too large for a tile of 64/,
    );
    expect(() => plan(dynamic2D, image(184, 100), session([null, null]), { batch: 0 })).toThrow(/batch size 0 is not a positive integer/);
    expect(() => plan(fixed2D, image(1000, 700), session([512, 512]), { output: "nope" as PlanOptions["output"] })).toThrow(
      /output 'nope' is not known/,
    );
    expect(() => plan(fixed2D, image(1000, 700), session([512, 512]), { planes: { t: [1] } })).toThrow(/t index 1 is out of range/);
  });

  it("refuses a model tile of 2^31 (issue 12 point 4) before anything is allocated, and an API tile beyond the limit", () => {
    expect(() => plan({ ...fixed2D, tile: null }, image(1000, 700), session([2 ** 31, 2 ** 31]))).toThrow(
      "nuclei: a tile of 2147483648×2147483648 pixels is larger than any model input can be (allowed: each side up to 16384, 67108864 pixels a tile)",
    );
    expect(() => plan({ ...fixed2D, tile: [2 ** 31, 512] }, image(1000, 700), session([null, null]))).toThrow(
      /a tile of 2147483648×512 pixels/,
    );
    expect(() => plan(dynamic2D, image(100, 100), session([null, null]), { tile: [16384, 16384] })).toThrow(
      /--tile: a tile of 16384×16384 pixels is larger/,
    );
  });
});
