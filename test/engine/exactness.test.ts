/**
 * Tiled == untiled, bit for bit, for fully convolutional models when the border covers the
 * receptive radius (docs/inference.md#tiled-equals-untiled), and a visible seam when it does not. Models and
 * torch reference outputs come from scripts/fixtures/engine_models.py:
 * fcn3 = three 3×3 convs (receptive field 7, radius 3), fcn3d = two 3×3×3 convs (radius 2).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { MemoryImageSink, MemoryImageSource } from "../../src/io/memory/index.js";
import { predictNode } from "../../src/engine/node/index.js";
import type { EngineModel, PredictOptions } from "../../src/engine/types.js";
import { fixtureBytes, rawFixture } from "./helpers.js";

const W = 184;
const H = 100;

let fcn3: EngineModel;
let image: MemoryImageSource;
let torchOut: Float32Array;

beforeAll(async () => {
  fcn3 = {
    name: "fcn3",
    kind: "regression",
    onnx: await fixtureBytes("fcn3.onnx"),
    tile: null,
    border: [0, 0],
    inputChannels: 1,
    outputChannels: 2,
    scaleInputs: true,
    tileMultiple: 1,
  };
  const pixels = await rawFixture("fcn3_input.u16", (b) => new Uint16Array(b));
  image = new MemoryImageSource({ width: W, height: H, planes: [pixels] });
  torchOut = await rawFixture("fcn3_torch.f32", (b) => new Float32Array(b));
});

async function run(model: EngineModel, options: Omit<PredictOptions, "runtime">, source = image) {
  const sink = new MemoryImageSink();
  const result = await predictNode(model, source, sink, options);
  return { result, sink, out: sink.plane() as Float32Array };
}

/** Columns (x) of pixels whose outputs differ. */
function differingColumns(a: Float32Array, b: Float32Array, width: number, channels: number): Set<number> {
  const cols = new Set<number>();
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) cols.add(Math.floor(i / channels) % width);
  return cols;
}

describe("tiled vs untiled (2-D, receptive radius 3)", () => {
  it("untiled engine output matches torch (independent reference)", async () => {
    const { result, out } = await run(fcn3, { tile: [H, W] });
    expect(result.tiles).toBe(1);
    let max = 0;
    for (let i = 0; i < out.length; i++) max = Math.max(max, Math.abs(out[i]! - torchOut[i]!));
    expect(max).toBeLessThan(1e-5);
  });

  it("64² tiles with border 3 equal the untiled output bit for bit", async () => {
    const untiled = (await run(fcn3, { tile: [H, W] })).out;
    const { result, out } = await run(fcn3, { tile: [64, 64], border: 3, batch: 3 });
    expect(result.tilesPerPlane).toBe(2 * 4);
    expect(differingColumns(out, untiled, W, 2).size).toBe(0);
  });

  it("border 2 (< radius 3) shows seams exactly at the tile joins", async () => {
    const untiled = (await run(fcn3, { tile: [H, W] })).out;
    // x: 184 = 2·62 + 60 → three tiles, every border exactly 2: centres [0,62) [62,122) [122,184).
    const { out } = await run(fcn3, { tile: [64, 64], border: 2 });
    const cols = [...differingColumns(out, untiled, W, 2)].sort((a, b) => a - b);
    expect(cols.length).toBeGreaterThan(0);
    for (const c of cols) expect([61, 62, 121, 122]).toContain(c);
    expect(cols).toContain(61);
    expect(cols).toContain(62);
  });

  it("labels from tiles equal labels from the untiled run (segmentation view of the same model)", async () => {
    const seg: EngineModel = { ...fcn3, kind: "segmentation", classes: [{ name: "a" }, { name: "b" }] };
    const a = await run(seg, { tile: [H, W] });
    const b = await run(seg, { tile: [48, 48], border: 4, batch: 5 });
    expect(Array.from(b.sink.plane() as Uint8Array)).toEqual(Array.from(a.sink.plane() as Uint8Array));
  });
});

describe("tiled vs untiled (3-D, rank-5 model, receptive radius 2)", () => {
  const D = 9;
  const H3 = 40;
  const W3 = 44;
  let model: EngineModel;
  let stack: MemoryImageSource;
  let ref: Float32Array;
  beforeAll(async () => {
    model = {
      name: "fcn3d",
      kind: "regression",
      onnx: await fixtureBytes("fcn3d.onnx"),
      tile: null,
      spatialDims: 3,
      border: [0, 0, 0],
      inputChannels: 1,
      scaleInputs: true,
      tileMultiple: 1,
    };
    const vol = await rawFixture("fcn3d_input.u8", (b) => new Uint8Array(b));
    const planes = Array.from({ length: D }, (_, z) => vol.subarray(z * H3 * W3, (z + 1) * H3 * W3));
    stack = new MemoryImageSource({ width: W3, height: H3, planes, sizes: { z: D } });
    ref = await rawFixture("fcn3d_torch.f32", (b) => new Float32Array(b));
  });

  async function volume(options: Omit<PredictOptions, "runtime">): Promise<Float32Array> {
    const sink = new MemoryImageSink();
    await predictNode(model, stack, sink, options);
    const all = new Float32Array(D * H3 * W3);
    for (const { index, data } of sink.allPlanes()) all.set(data as Float32Array, index.z * H3 * W3);
    return all;
  }

  it("untiled matches torch; 6×16×16 tiles with border 2 match bit for bit; border 1 does not", async () => {
    const untiled = await volume({ tile: [D, H3, W3] });
    let max = 0;
    for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(untiled[i]! - ref[i]!));
    expect(max).toBeLessThan(1e-5);
    const tiled = await volume({ tile: [6, 16, 16], border: 2, batch: 4 });
    expect(tiled).toEqual(untiled);
    const seams = await volume({ tile: [6, 16, 16], border: 1 });
    expect(seams).not.toEqual(untiled);
  });

  it("pads a stack shallower than the tile by reflection in Z", async () => {
    const sink = new MemoryImageSink();
    const r = await predictNode(model, stack, sink, { tile: [12, 16, 16], border: [0, 2, 2] });
    expect(r.notes.some((n) => n.includes("reflect"))).toBe(true);
    expect(sink.info?.sizes.z).toBe(D);
  });
});
