/**
 * Pixel conversion with numbers worked out by hand: channel mapping (grey/colour, BGR order,
 * alpha, C-plane groups), intensity scaling (dtype, bit depth, explicit, off, floats) and the
 * tile fill loop; plus an end-to-end check through an identity ONNX model, which returns
 * exactly what the engine fed it.
 */
import { describe, expect, it } from "vitest";
import { fillTile, planChannels, planScaling, type ChannelMappingRequest, type TileSamples } from "../../src/engine/pixels.js";
import { predictNode } from "../../src/engine/node/index.js";
import type { EngineModel } from "../../src/engine/types.js";
import { MemoryImageSink, MemoryImageSource } from "../../src/io/memory/index.js";
import type { SampleArray, SampleOrder } from "../../src/io/types.js";
import { fixtureBytes } from "./helpers.js";

const f32 = (x: number) => Math.fround(x);

/** Convert one pixel (given as its samples) with a mapping and scaling; returns the model values. */
function convertPixel(
  samples: SampleArray,
  order: SampleOrder,
  modelChannels: number,
  extra: Partial<ChannelMappingRequest> = {},
  scaling = planScaling({ sampleType: samples instanceof Uint16Array ? "uint16" : "uint8", modelScales: true }),
): number[] {
  const mapping = planChannels({
    samplesPerPixel: samples.length,
    sampleOrder: order,
    cPlanes: 1,
    modelChannels,
    modelOrder: "bgr",
    ...extra,
  });
  const src: TileSamples = {
    windows: [[samples]],
    readWidth: 1,
    samplesPerPixel: samples.length,
    zMap: new Int32Array([0]),
    rowMap: new Int32Array([0]),
    colMap: new Int32Array([0]),
  };
  const out = new Float32Array(modelChannels);
  fillTile(out, 0, src, mapping, scaling);
  return Array.from(out);
}

describe("channel mapping", () => {
  it("RGB uint8 (30, 60, 90) into a grey model: mean 60 → 60/255", () => {
    expect(convertPixel(Uint8Array.of(30, 60, 90), "rgb", 1)).toEqual([f32(60 / 255)]);
  });

  it("RGB into a colour (BGR) model is reversed: (30, 60, 90) → (90, 60, 30)/255", () => {
    expect(convertPixel(Uint8Array.of(30, 60, 90), "rgb", 3)).toEqual([f32(90 / 255), f32(60 / 255), f32(30 / 255)]);
  });

  it("BGR sources go in as stored; --channel-order rgb and as-is are honoured", () => {
    const bgr = Uint8Array.of(10, 20, 30); // B=10 G=20 R=30
    expect(convertPixel(bgr, "bgr", 3)).toEqual([f32(10 / 255), f32(20 / 255), f32(30 / 255)]);
    expect(convertPixel(bgr, "bgr", 3, { channelOrder: "rgb" })).toEqual([f32(30 / 255), f32(20 / 255), f32(10 / 255)]);
    expect(convertPixel(Uint8Array.of(30, 60, 90), "rgb", 3, { channelOrder: "as-is" })).toEqual([
      f32(30 / 255),
      f32(60 / 255),
      f32(90 / 255),
    ]);
  });

  it("alpha is dropped for 1/3-channel models and kept last for BGRA models", () => {
    const rgba = Uint8Array.of(3, 6, 9, 51);
    expect(convertPixel(rgba, "rgba", 1)).toEqual([f32(6 / 255)]);
    expect(convertPixel(rgba, "rgba", 3)).toEqual([f32(9 / 255), f32(6 / 255), f32(3 / 255)]);
    expect(convertPixel(rgba, "rgba", 4)).toEqual([f32(9 / 255), f32(6 / 255), f32(3 / 255), f32(51 / 255)]);
    expect(convertPixel(Uint8Array.of(5, 7), "gray-alpha", 1)).toEqual([f32(5 / 255)]);
  });

  it("a BGRA model gets opaque alpha (1.0) from an RGB image, with a note", () => {
    const mapping = planChannels({ samplesPerPixel: 3, sampleOrder: "rgb", cPlanes: 1, modelChannels: 4, modelOrder: "bgr" });
    expect(mapping.notes.join()).toMatch(/opaque/);
    expect(convertPixel(Uint8Array.of(0, 0, 255), "rgb", 4)).toEqual([1, 0, 0, 1]);
  });

  it("grey into a colour model is replicated, with a note", () => {
    const mapping = planChannels({ samplesPerPixel: 1, sampleOrder: "gray", cPlanes: 1, modelChannels: 3, modelOrder: "bgr" });
    expect(mapping.description).toBe("gray -> replicated into 3 channels");
    expect(mapping.notes).toHaveLength(1);
    expect(convertPixel(Uint16Array.of(13107), "gray", 3)).toEqual([0.2, 0.2, 0.2].map(f32));
  });

  it("legacy ConvertToMonochrome: the grey mean in every colour channel", () => {
    expect(convertPixel(Uint8Array.of(0, 51, 102), "rgb", 3, { colorHandling: "convert-to-monochrome" })).toEqual([0.2, 0.2, 0.2].map(f32));
  });

  it("grey C planes are grouped into a multi-channel model in C order", () => {
    const mapping = planChannels({ samplesPerPixel: 1, sampleOrder: "gray", cPlanes: 4, modelChannels: 2, modelOrder: "bgr" });
    expect(mapping.planesPerInput).toBe(2);
    expect(mapping.channels).toEqual([
      { kind: "samples", picks: [{ plane: 0, sample: 0 }] },
      { kind: "samples", picks: [{ plane: 1, sample: 0 }] },
    ]);
    const never = planChannels({
      samplesPerPixel: 1,
      sampleOrder: "gray",
      cPlanes: 3,
      modelChannels: 3,
      modelOrder: "bgr",
      groupChannels: "never",
    });
    expect(never.planesPerInput).toBe(1);
  });

  it("unmappable channels: one-line error naming both counts", () => {
    const req = { samplesPerPixel: 3, sampleOrder: "rgb" as const, cPlanes: 1, modelChannels: 2, modelOrder: "bgr" as const };
    expect(() => planChannels(req)).toThrow(/cannot map the image's 3 sample\(s\) per pixel \(rgb\) to the model's 2 input channel\(s\)/);
    expect(() => planChannels({ ...req, samplesPerPixel: 1, sampleOrder: "gray", cPlanes: 3, modelChannels: 5 })).toThrow(
      /1 sample\(s\) per pixel \(gray\) and 3 C planes to the model's 5 input channel\(s\)/,
    );
    expect(() => planChannels({ ...req, groupChannels: "always", modelChannels: 3 })).toThrow(/cannot group 1 C plane/);
    expect(() => planChannels({ ...req, samplesPerPixel: 4 })).toThrow(/4 samples per pixel in order 'rgb'/);
  });
});

describe("intensity scaling", () => {
  it("auto for CZANN: uint8 / 255, uint16 / 65535, floats untouched", () => {
    expect(planScaling({ sampleType: "uint8", modelScales: true })).toMatchObject({ applied: true, min: 0, max: 255 });
    expect(planScaling({ sampleType: "uint16", modelScales: true }).description).toBe("divide by 65535 (uint16 range)");
    const f = planScaling({ sampleType: "float32", modelScales: true });
    expect(f.applied).toBe(false);
    expect(convertPixel(Float32Array.of(0.25), "gray", 1, {}, f)).toEqual([0.25]);
  });

  it("a model that does not scale (legacy ScaleInputsByBitdepth=false) gets raw values", () => {
    const s = planScaling({ sampleType: "uint16", modelScales: false });
    expect(convertPixel(Uint16Array.of(1000), "gray", 1, {}, s)).toEqual([1000]);
    expect(planScaling({ sampleType: "uint16", modelScales: false, rescale: "on" }).max).toBe(65535);
  });

  it("bitdepth: 12-bit data in uint16 is divided by 4095; without a recorded depth by 65535", () => {
    const s = planScaling({ sampleType: "uint16", significantBits: 12, modelScales: true, range: "bitdepth" });
    expect(s.description).toBe("divide by 4095 (12-bit data)");
    expect(convertPixel(Uint16Array.of(4095), "gray", 1, {}, s)).toEqual([1]);
    expect(planScaling({ sampleType: "uint16", modelScales: true, range: "bitdepth" }).max).toBe(65535);
  });

  it("explicit range [100, 300]: 200 → 0.5, 400 → 1.5 (no clipping)", () => {
    const s = planScaling({ sampleType: "uint16", modelScales: true, range: [100, 300] });
    expect(convertPixel(Uint16Array.of(200), "gray", 1, {}, s)).toEqual([0.5]);
    expect(convertPixel(Uint16Array.of(400), "gray", 1, {}, s)).toEqual([1.5]);
  });

  it("off leaves values as stored; errors name the option", () => {
    expect(planScaling({ sampleType: "uint8", modelScales: true, rescale: "off" }).applied).toBe(false);
    expect(() => planScaling({ sampleType: "uint8", modelScales: true, rescale: "off", range: [0, 1] })).toThrow(
      /--intensity-range: an explicit intensity range was given but rescaling is off/,
    );
    expect(() => planScaling({ sampleType: "int16", modelScales: true })).toThrow(/no defined intensity range for int16 samples/);
    expect(() => planScaling({ sampleType: "uint8", modelScales: true, range: [5, 5] })).toThrow(/intensity range \[5, 5\]/);
  });
});

describe("end to end through an identity model (output = what the engine fed)", () => {
  const identity = async (): Promise<EngineModel> => ({
    name: "identity",
    kind: "regression",
    onnx: await fixtureBytes("identity_rgb.onnx"),
    tile: [16, 16],
    border: [0, 0],
    inputChannels: 3,
    scaleInputs: true,
  });
  const rgbImage = (w: number, h: number) => {
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) data.set([i % 251, (i * 7) % 253, (i * 13) % 255], i * 3);
    return { data, source: new MemoryImageSource({ width: w, height: h, planes: [data], samplesPerPixel: 3, sampleOrder: "rgb" }) };
  };
  const expectBgr = (out: Float32Array, data: Uint8Array) => {
    const expected = new Float32Array(data.length);
    for (let i = 0; i < data.length; i += 3) {
      expected[i] = data[i + 2]! / 255;
      expected[i + 1] = data[i + 1]! / 255;
      expected[i + 2] = data[i]! / 255;
    }
    expect(out).toEqual(expected);
  };

  it("a 40×35 RGB image in 16² tiles comes back as BGR / 255 exactly (crop-and-place)", async () => {
    const { data, source } = rgbImage(40, 35);
    const sink = new MemoryImageSink();
    const r = await predictNode(await identity(), source, sink, { border: 2 });
    expect(r.batchSize).toBe(1); // the identity model's batch dim is fixed to 1
    expect(r.channelMapping).toBe("rgb -> BGR");
    expectBgr(sink.plane() as Float32Array, data);
  });

  it("an image smaller than the tile is padded by reflection and cropped back", async () => {
    const { data, source } = rgbImage(10, 7);
    const sink = new MemoryImageSink();
    const r = await predictNode(await identity(), source, sink, {});
    expect(r.tiles).toBe(1);
    expect(r.notes.join()).toMatch(/reflect/);
    expectBgr(sink.plane() as Float32Array, data);
  });

  it("blending (linear, gaussian) of an identity model reproduces the input, by tiles and by bands alike", async () => {
    // 45×38 and 150×130 in the model's 16² tiles: many tile rows and columns, 64² accumulator blocks crossed.
    for (const [w, h] of [
      [45, 38],
      [150, 130],
    ] as const) {
      const { data, source } = rgbImage(w, h);
      for (const blend of ["linear", "gaussian"] as const) {
        const tiles = new MemoryImageSink();
        const bands = new MemoryImageSink({ tiles: false });
        const options = { border: 4, blend };
        await predictNode(await identity(), source, tiles, options);
        await predictNode(await identity(), source, bands, options);
        if (w > 100) expect(tiles.tiles.length).toBeGreaterThan(100);
        const out = tiles.plane() as Float32Array;
        let max = 0;
        for (let i = 0; i < data.length; i += 3) max = Math.max(max, Math.abs(out[i]! - data[i + 2]! / 255));
        expect(max).toBeLessThan(1e-6);
        expect(Buffer.from(out.buffer).equals(Buffer.from(bands.plane().buffer))).toBe(true);
      }
    }
  });
});
