/**
 * looksChannelsFirst: the NCHW guess behind adaptModel's "add --channels-first" refusal. It must
 * catch the usual channels-first inputs and never fire on the NHWC inputs of the real models and
 * fixtures (which are adapted without --channels-first). looksChannelsLast (+ the graph check
 * graphReadsInputAsChannelsFirst): its mirror, behind the "drop --channels-first" refusal; it
 * must fire on the real NHWC models and never on the NCHW U-Net fixture.
 */
import { describe, expect, it } from "vitest";
import { decodeModel } from "../../src/onnx/model-io.js";
import { summarizeOnnx } from "../../src/onnx/summary.js";
import { graphReadsInputAsChannelsFirst, looksChannelsFirst, looksChannelsLast } from "../../src/onnx/layout-guess.js";
import { onnxFixture, REAL_MODELS, realModel } from "./helpers.js";

describe("looksChannelsFirst", () => {
  it.each([
    [["batch", 3, "height", "width"]],
    [[1, 3, 224, 224]],
    [[null, 1, null, null]],
    [["n", 16, 512, 512]],
    [["n", 2, "d", "h", "w"]],
    [[1, 4, 1024]],
  ])("%j looks channels-first", (dims) => {
    expect(looksChannelsFirst(dims)).toBe(true);
  });

  it.each([
    [["batch", 1024, 1024, 1]],
    [["batch", "height", "width", 3]],
    [["batch", 4, 4, 1]], // tiny NHWC (not_invariant.onnx)
    [[1, 8, 8, 32]], // NHWC with many channels
    [[1, 3, 8, 8]], // ambiguous: too small to tell
    [["batch", 32, "h", "w"]], // more channels than the guess allows
    [["batch", 3, "h", 1]],
    [[1, 3]],
    [[]],
  ])("%j does not", (dims) => {
    expect(looksChannelsFirst(dims)).toBe(false);
  });

  it("fires on the NCHW U-Net fixture only", () => {
    expect(looksChannelsFirst(summarizeOnnx(decodeModel(onnxFixture("unet_nchw.onnx"))).inputs[0]!.shape)).toBe(true);
    for (const name of ["not_invariant.onnx", "two_inputs.onnx"]) {
      expect(looksChannelsFirst(summarizeOnnx(decodeModel(onnxFixture(name))).inputs[0]!.shape), name).toBe(false);
    }
    for (const file of REAL_MODELS) {
      const s = summarizeOnnx(decodeModel(realModel(file)));
      expect(looksChannelsFirst(s.inputs[0]!.shape), file).toBe(false);
      expect(looksChannelsFirst(s.outputs[0]!.shape), file).toBe(false);
    }
  });
});

describe("looksChannelsLast", () => {
  it.each([
    [["batch", 1024, 1024, 1]],
    [["unk__15", 1024, 1024, 1]], // tf2onnx's name for the dynamic batch
    [["batch", "height", "width", 3]],
    [[null, null, null, 4]],
    [[1, 512, 512, 16]],
    [["n", "d", "h", "w", 2]],
    [[1, 1024, 4]],
  ])("%j looks channels-last", (dims) => {
    expect(looksChannelsLast(dims)).toBe(true);
    expect(looksChannelsFirst(dims)).toBe(false);
  });

  it.each([
    [["batch", 3, "height", "width"]], // NCHW
    [[1, 3, 224, 224]],
    [["batch", 4, 4, 1]], // tiny: too small to tell
    [[1, 3, 8, 8]],
    [[1, 8, 8, 32]], // more channels than the guess allows
    [["batch", "h", "w", null]], // channel count unknown
    [["batch", "h", "w", 0]],
    [[1, 3]],
    [[]],
  ])("%j does not", (dims) => {
    expect(looksChannelsLast(dims)).toBe(false);
  });

  it("fires on the real NHWC models' inputs, not on the NCHW U-Net fixture", () => {
    expect(looksChannelsLast(summarizeOnnx(decodeModel(onnxFixture("unet_nchw.onnx"))).inputs[0]!.shape)).toBe(false);
    for (const file of REAL_MODELS) {
      expect(looksChannelsLast(summarizeOnnx(decodeModel(realModel(file))).inputs[0]!.shape), file).toBe(true);
    }
  });
});

describe("graphReadsInputAsChannelsFirst", () => {
  it("is true when the input feeds a Conv directly (the NCHW U-Net)", () => {
    const unet = decodeModel(onnxFixture("unet_nchw.onnx"));
    expect(graphReadsInputAsChannelsFirst(unet.graph!, "input")).toBe(true);
  });

  it("is false on the real NHWC models (tf2onnx: Add, Mul, Reshape before the Conv; PyTorch export: Transpose first)", () => {
    for (const file of REAL_MODELS) {
      const model = decodeModel(realModel(file));
      const input = model.graph!.input[0]!.name;
      expect(graphReadsInputAsChannelsFirst(model.graph!, input), file).toBe(false);
    }
  });
});
