/**
 * Output metadata and small engine units: czmodel's class colour sequence (docs/formats.md#class-colours
 * table), label sample type by class count, class value checks, stack planning (C groups,
 * scenes), and that the isomorphic engine imports nothing Node-only.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classColors as czmodelClassColors } from "../../src/metadata/class-colors.js";
import { convertBox, outputInfo } from "../../src/engine/outputs.js";
import { planStacks } from "../../src/engine/planes.js";
import type { EngineModel } from "../../src/engine/types.js";
import type { ImageInfo } from "../../src/io/types.js";
import { repoRoot } from "../helpers/paths.js";

describe("class colours (czmodel sequence)", () => {
  it("matches the first 30 colours of docs/formats.md#class-colours", () => {
    expect(czmodelClassColors(30)).toEqual([
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [255, 0, 0],
      [254, 255, 0],
      [0, 254, 255],
      [0, 255, 127],
      [255, 0, 127],
      [127, 0, 255],
      [255, 127, 0],
      [127, 255, 0],
      [0, 127, 255],
      [0, 255, 170],
      [255, 0, 84],
      [169, 0, 255],
      [255, 170, 0],
      [85, 255, 0],
      [0, 84, 255],
      [0, 255, 191],
      [255, 0, 63],
      [191, 0, 255],
      [255, 191, 0],
      [63, 255, 0],
      [0, 63, 255],
      [0, 255, 203],
      [255, 0, 50],
      [203, 0, 255],
      [255, 203, 0],
      [50, 255, 0],
      [0, 50, 255],
    ]);
  });
});

describe("output descriptions", () => {
  const model = (k: number, extra: Partial<EngineModel> = {}): EngineModel => ({
    name: "m",
    kind: "segmentation",
    onnx: new Uint8Array(),
    tile: [8, 8],
    border: [0, 0],
    inputChannels: 1,
    scaleInputs: true,
    classes: Array.from({ length: k }, (_, i) => ({ name: `c${i}` })),
    ...extra,
  });
  const ctx = (m: EngineModel, channels: number) => ({
    model: m,
    width: 4,
    height: 3,
    sizes: { scene: 1, t: 1, c: 1, z: 1 },
    channels,
    description: {},
  });

  it("labels are uint8 up to 255 classes and uint16 beyond", () => {
    expect(outputInfo("labels", ctx(model(255), 255)).sampleType).toBe("uint8");
    const big = outputInfo("labels", ctx(model(300), 300));
    expect(big.sampleType).toBe("uint16");
    expect(big.classes?.[299]).toMatchObject({ value: 300, name: "c299" });
  });

  it("class values must be unique and >= 1; class count must match the output", () => {
    const dup = model(2, {
      classes: [
        { name: "a", value: 1 },
        { name: "b", value: 1 },
      ],
    });
    expect(() => outputInfo("labels", ctx(dup, 2))).toThrow(/class 'b' has label value 1 \(allowed: unique integers 1\.\.65535/);
    expect(() => outputInfo("labels", ctx(model(3), 2))).toThrow(/m: the model outputs 2 channel\(s\) but its metadata lists 3 classes/);
  });

  it("argmax ties go to the lowest class; explicit label values are used", () => {
    const src = Float32Array.of(0.5, 0.5, 0.2, 0.8, 0.1, 0.9);
    const dst = new Uint8Array(3);
    convertBox(
      { kind: "labels", channels: 2, labelValues: [10, 20], minConfidence: -Infinity },
      { data: src, offset: 0, strideZ: 0, strideY: 3 },
      { data: dst, offset: 0, strideZ: 0, strideY: 3 },
      1,
      1,
      3,
    );
    expect(Array.from(dst)).toEqual([10, 20, 20]);
  });
});

describe("stack planning", () => {
  const info = (over: Partial<ImageInfo> = {}): ImageInfo => ({
    format: "memory",
    width: 10,
    height: 5,
    scenes: [
      { width: 10, height: 5 },
      { width: 10, height: 5 },
    ],
    sizes: { scene: 2, t: 1, c: 4, z: 2 },
    samplesPerPixel: 1,
    sampleOrder: "gray",
    sampleType: "uint16",
    ...over,
  });

  it("groups C planes and loops scene, t, C group and z (2-D model)", () => {
    const plan = planStacks(info(), { scene: [1] }, 2, 2);
    expect(plan.outSizes).toEqual({ scene: 1, t: 1, c: 2, z: 2 });
    expect(plan.stacks).toHaveLength(4);
    expect(plan.stacks[1]).toEqual({
      outPlanes: [{ scene: 0, t: 0, c: 0, z: 1 }],
      inputs: [
        [
          { scene: 1, t: 0, c: 0, z: 1 },
          { scene: 1, t: 0, c: 1, z: 1 },
        ],
      ],
    });
  });

  it("a 3-D model takes the whole Z stack per stack", () => {
    const plan = planStacks(info(), undefined, 1, 3);
    expect(plan.stacks).toHaveLength(2 * 4);
    expect(plan.stacks[0]!.outPlanes.map((p) => p.z)).toEqual([0, 1]);
    expect(() => planStacks(info(), { z: [0] }, 1, 3)).toThrow(/--plane z=: a 3-D model needs the whole Z stack/);
  });

  it("scenes of different sizes cannot share one output", () => {
    const i = info({
      scenes: [
        { width: 10, height: 5 },
        { width: 8, height: 5 },
      ],
    });
    expect(() => planStacks(i, undefined, 1, 2)).toThrow(/scenes have different sizes \(scene 0 is 10x5, scene 1 is 8x5\)/);
    expect(planStacks(i, { scene: [1] }, 1, 2).width).toBe(8);
  });
});

describe("isomorphic engine", () => {
  it("src/engine (outside node/) imports no node:* module and no Node-only package", async () => {
    const dir = join(repoRoot, "src", "engine");
    const files = (await readdir(dir)).filter((f) => f.endsWith(".ts"));
    for (const f of files) {
      const text = await readFile(join(dir, f), "utf8");
      expect(text, f).not.toMatch(/from "node:|from "(onnxruntime-node|fs|yauzl|sharp)"/);
    }
  });
});
