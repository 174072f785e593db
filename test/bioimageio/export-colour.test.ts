/**
 * Colour models: the package takes R, G, B(, A) while ZEN feeds B, G, R(, A). Identity models
 * (the committed 16 × 16 × 3 fixture, and a 4-channel one made here with python3-onnx) are
 * packed as CZANN Regression models and exported, so the test output shows exactly what the
 * engine fed the ZEN model; weights.onnx must turn the package's RGB input into the same thing.
 * Test images are written here as PNGs (fast-png): a colour image larger than the tile (centre
 * crop, RGB order kept), one smaller than the tile (reflect padding) and the synthetic blobs.
 */
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encode } from "fast-png";
import { beforeAll, describe, expect, it } from "vitest";
import { readNpy } from "../../src/bioimageio/npy.js";
import { reflectIndex } from "../../src/engine/tiling.js";
import { fixture } from "../helpers/paths.js";
import { czmodel, parseJson, scratchDir } from "../cli/helpers.js";
import { ajvErrors, maxAbsDiff, ortRun, pythonCheck, readRdf, unzipTo } from "./helpers.js";

let work: string;
let rgbModel: string;
let rgbaModel: string;

/** A W × H RGB uint8 PNG whose channels differ everywhere: R = 5x, G = 7y, B = 255 - 3x. */
function colourPng(w: number, h: number): { png: Uint8Array; pixels: Uint8Array } {
  const pixels = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      pixels[i] = (5 * x) % 256;
      pixels[i + 1] = (7 * y) % 256;
      pixels[i + 2] = 255 - ((3 * x) % 256);
    }
  return { png: encode({ width: w, height: h, data: pixels, channels: 3, depth: 8 }), pixels };
}

async function exportPackage(model: string, ...args: string[]) {
  const dir = await scratchDir("bioimageio-colour-");
  const zip = join(dir, "p.zip");
  const r = await czmodel("export-bioimageio", model, zip, "--json", ...args);
  expect(r.status, r.stderr).toBe(0);
  const out = join(dir, "p");
  await unzipTo(zip, out);
  const npy = async (name: string) => readNpy(await readFile(join(out, name)), name);
  return {
    dir: out,
    json: parseJson(r),
    rdf: await readRdf(out),
    input: await npy("test_input.npy"),
    output: await npy("test_output.npy"),
  };
}

beforeAll(async () => {
  work = await scratchDir("bioimageio-colour-models-");
  rgbModel = join(work, "rgb.czann");
  const packed = await czmodel(
    "pack",
    fixture("engine", "identity_rgb.onnx"),
    "--type",
    "Regression",
    "--min-overlap",
    "4,4",
    "--name",
    "RGB identity",
    "--out",
    rgbModel,
  );
  expect(packed.status, packed.stderr).toBe(0);
  const rgbaOnnx = join(work, "identity_rgba.onnx");
  execFileSync("/usr/bin/python3", [
    "-c",
    [
      "import sys, onnx",
      "from onnx import helper, TensorProto as T",
      "i = helper.make_tensor_value_info('x', T.FLOAT, ['n', 16, 16, 4])",
      "o = helper.make_tensor_value_info('y', T.FLOAT, ['n', 16, 16, 4])",
      "g = helper.make_graph([helper.make_node('Identity', ['x'], ['y'])], 'identity_rgba', [i], [o])",
      "onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 12)]), sys.argv[1])",
    ].join("\n"),
    rgbaOnnx,
  ]);
  rgbaModel = join(work, "rgba.czann");
  const packed4 = await czmodel(
    "pack",
    rgbaOnnx,
    "--type",
    "Regression",
    "--min-overlap",
    "4,4",
    "--name",
    "RGBA identity",
    "--out",
    rgbaModel,
  );
  expect(packed4.status, packed4.stderr).toBe(0);
});

/** The test output is the test input in BGR(A) order / 255, and weights.onnx maps RGB input onto it. */
async function expectBgrInsideWeights(p: Awaited<ReturnType<typeof exportPackage>>, channels: 3 | 4, zenModel: Uint8Array): Promise<void> {
  const n = 16 * 16;
  const order = channels === 3 ? [2, 1, 0] : [2, 1, 0, 3];
  const bgr = new Float32Array(n * channels);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < channels; c++) bgr[i * channels + c] = (p.input.data[i * channels + order[c]!] as number) / 255;
  expect(maxAbsDiff(bgr, p.output.data)).toBe(0);
  const rgb = Float32Array.from(p.input.data, (v) => v / 255);
  const weights = new Uint8Array(await readFile(join(p.dir, "weights.onnx")));
  expect(maxAbsDiff(await ortRun(weights, rgb, [1, 16, 16, channels]), p.output.data)).toBe(0);
  expect(maxAbsDiff(await ortRun(zenModel, bgr, [1, 16, 16, channels]), p.output.data)).toBe(0);
  // the input really differs between R and B somewhere, so the order is tested
  expect(Array.from({ length: n }, (_, i) => p.input.data[i * channels]! !== p.input.data[i * channels + 2]!).some(Boolean)).toBe(true);
}

describe("export-bioimageio of colour models", () => {
  it("takes RGB and wraps the ZEN model with an RGB-to-BGR swap (synthetic test image)", async () => {
    const p = await exportPackage(rgbModel);
    expect(await ajvErrors(p.rdf)).toEqual([]);
    expect(p.json).toMatchObject({ rgbToBgr: true, pixelType: "uint8", inputChannels: ["R", "G", "B"], testInput: { kind: "synthetic" } });
    const zen = (p.rdf.config as { czmodel: Record<string, unknown> }).czmodel;
    expect(zen).toMatchObject({ zen_channel_order: "BGR", rgb_to_bgr_in_weights: true });
    expect(String(p.rdf.description)).toContain("ZEN feeds BGR");
    expect(await readFile(join(p.dir, "README.md"), "utf8")).toMatch(/takes R, G, B like every bioimage.io model/);
    const onnx = execFileSync(
      "/usr/bin/python3",
      [
        "-c",
        "import sys, onnx; m = onnx.load(sys.argv[1]); print(onnx.checker.check_model(m) or [n.op_type for n in m.graph.node])",
        join(p.dir, "weights.onnx"),
      ],
      { encoding: "utf8" },
    );
    expect(onnx).toMatch(/Gather|Slice|Concat/);
    await expectBgrInsideWeights(p, 3, new Uint8Array(await readFile(fixture("engine", "identity_rgb.onnx"))));
  });

  it("exports the same synthetic test tensors every time", async () => {
    const a = await exportPackage(rgbModel);
    const b = await exportPackage(rgbModel);
    expect(Buffer.from(b.input.data.buffer).equals(Buffer.from(a.input.data.buffer))).toBe(true);
    expect(Buffer.from(b.output.data.buffer).equals(Buffer.from(a.output.data.buffer))).toBe(true);
  });

  it("cuts the centre of a colour test image in RGB order (and converts to --pixel-type)", async () => {
    const { png, pixels } = colourPng(40, 30);
    const image = join(work, "colour.png");
    await writeFile(image, png);
    const p = await exportPackage(rgbModel, "--test-image", image);
    expect(p.json).toMatchObject({
      pixelType: "uint8",
      testInput: { kind: "image", name: "colour.png", x: 12, y: 7, width: 16, height: 16 },
    });
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 16; x++)
        for (let c = 0; c < 3; c++) expect(p.input.data[(y * 16 + x) * 3 + c]).toBe(pixels[((y + 7) * 40 + x + 12) * 3 + c]);
    expect((await pythonCheck(p.dir, image)).image_matches).toBe(true);
    await expectBgrInsideWeights(p, 3, new Uint8Array(await readFile(fixture("engine", "identity_rgb.onnx"))));

    const p16 = await exportPackage(rgbModel, "--test-image", image, "--pixel-type", "uint16");
    expect(p16.input.dtype).toBe("uint16");
    expect(Array.from(p16.input.data)).toEqual(Array.from(p.input.data, (v) => v * 257));
    expect((await pythonCheck(p16.dir, image)).image_matches).toBe(true);
    expect(maxAbsDiff(p16.output.data, p.output.data)).toBeLessThanOrEqual(1e-7);
  });

  it("reflect-pads a test image smaller than the tile, as ZEN does", async () => {
    const { png, pixels } = colourPng(10, 8);
    const image = join(work, "small.png");
    await writeFile(image, png);
    const p = await exportPackage(rgbModel, "--test-image", image);
    expect(p.json).toMatchObject({ testInput: { kind: "image", x: 0, y: 0, width: 10, height: 8 } });
    expect((p.json.notes as string[]).join(" ")).toMatch(/smaller than the 16x16 tile: it was reflect-padded/);
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 16; x++) {
        const sy = reflectIndex(y - 4, 8);
        const sx = reflectIndex(x - 3, 10);
        for (let c = 0; c < 3; c++) expect(p.input.data[(y * 16 + x) * 3 + c]).toBe(pixels[(sy * 10 + sx) * 3 + c]);
      }
  });

  it("takes RGBA for a 4-channel model, with an opaque alpha when the image has none", async () => {
    const image = join(work, "colour4.png");
    await writeFile(image, colourPng(20, 20).png);
    const p = await exportPackage(rgbaModel, "--test-image", image);
    expect(await ajvErrors(p.rdf)).toEqual([]);
    expect(p.json).toMatchObject({ rgbToBgr: true, inputChannels: ["R", "G", "B", "A"] });
    expect(Array.from({ length: 256 }, (_, i) => p.input.data[i * 4 + 3])).toEqual(new Array(256).fill(255));
    const zen = new Uint8Array(await readFile(join(work, "identity_rgba.onnx")));
    await expectBgrInsideWeights(p, 4, zen);
  });
});
