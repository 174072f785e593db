/**
 * adaptModel end to end: the acceptance case from the issue (a channels-first PyTorch U-Net made
 * by scripts/fixtures/onnx_models.py), preservation of everything not edited, and the refusals.
 * References: PyTorch/NumPy outputs committed by the fixture script, and the *original* model run
 * by onnxruntime on an input transformed in plain TypeScript (transpose, BGR, TensorFlow's
 * per-image standardization in float64, softmax).
 */
import { create } from "@bufbuild/protobuf";
import { GraphProtoSchema, ModelProtoSchema, OperatorSetIdProtoSchema, TensorProto_DataType as DT } from "onnx-buf";
import { afterAll, describe, expect, it } from "vitest";
import { CzmodelError } from "../../src/errors.js";
import { adaptModel } from "../../src/onnx/adapt.js";
import { makeNode, makeTensorValueInfo } from "../../src/onnx/graph/nodes.js";
import { floatTensor } from "../../src/onnx/graph/tensors.js";
import { decodeModel, encodeModel } from "../../src/onnx/model-io.js";
import { parseOpList } from "../../src/onnx/ops/index.js";
import { tempDir } from "../helpers/paths.js";
import { checkWithPython, hasPythonOnnx, identityModel, jsonFixture, maxAbsDiff, onnxFixture, realModel, runModel } from "./helpers.js";

const checked: Record<string, Uint8Array> = {};

/** A literal string as a RegExp source. */
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Deterministic pseudo-random floats in [0, 1). */
function noise(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32;
  }
  return out;
}

/** NHWC RGB → BGR → TF per-image standardization (float64) → NCHW. */
function referencePreprocess(x: Float32Array, h: number, w: number): Float32Array {
  const n = h * w * 3;
  const bgr = new Float64Array(n);
  for (let p = 0; p < h * w; p++) for (let c = 0; c < 3; c++) bgr[p * 3 + c] = x[p * 3 + (2 - c)]!;
  let mean = 0;
  for (const v of bgr) mean += v;
  mean /= n;
  let variance = 0;
  for (const v of bgr) variance += (v - mean) ** 2;
  const std = Math.max(Math.sqrt(variance / n), 1 / Math.sqrt(n));
  const nchw = new Float32Array(n);
  for (let p = 0; p < h * w; p++) for (let c = 0; c < 3; c++) nchw[c * h * w + p] = (bgr[p * 3 + c]! - mean) / std;
  return nchw;
}

/** NCHW logits → NHWC softmax over channels. */
function referenceSoftmaxNhwc(logits: Float32Array, k: number, h: number, w: number): Float32Array {
  const out = new Float32Array(k * h * w);
  for (let p = 0; p < h * w; p++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, logits[c * h * w + p]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logits[c * h * w + p]! - max);
    for (let c = 0; c < k; c++) out[p * k + c] = Math.exp(logits[c * h * w + p]! - max) / sum;
  }
  return out;
}

const unetOptions = (spatialDims?: number[]) => ({
  channelsFirst: true,
  ...(spatialDims ? { spatialDims } : {}),
  preprocessing: parseOpList("rgb-to-bgr,per-image-standardization", "pre"),
  postprocessing: parseOpList("softmax", "post"),
});

describe("adaptModel: the channels-first U-Net (acceptance)", () => {
  const unet = onnxFixture("unet_nchw.onnx");

  it("returns the very input bytes when no option is given", () => {
    expect(adaptModel(unet).bytes).toBe(unet);
    expect(adaptModel(unet, { preprocessing: [], postprocessing: [] }).bytes).toBe(unet);
  });

  it("matches PyTorch on the full chain at 32×32 (dynamic size kept)", async () => {
    const ref = jsonFixture<{ input: number[]; inputShape: number[]; chain: number[]; chainShape: number[] }>("unet_reference.json");
    const { bytes, summary, warnings } = adaptModel(unet, unetOptions());
    expect(warnings).toEqual([]);
    expect(summary.inputs).toEqual([{ name: "input", type: "float32", shape: ["batch", "height", "width", 3] }]);
    expect(summary.outputs).toEqual([{ name: "logits", type: "float32", shape: ["batch", "height", "width", 2] }]);
    const out = await runModel(bytes, Float32Array.from(ref.input), ref.inputShape);
    expect(out.dims).toEqual(ref.chainShape);
    expect(maxAbsDiff(out.data, ref.chain)).toBeLessThanOrEqual(1e-5);
    checked["unet-chain"] = bytes;
  });

  it("packed at 512×512: equals the original model on the transposed, BGR-swapped, standardized input", async () => {
    const { bytes, summary } = adaptModel(unet, unetOptions([512, 512]));
    expect(summary.inputs[0]!.shape).toEqual(["batch", 512, 512, 3]);
    expect(summary.outputs[0]!.shape).toEqual(["batch", 512, 512, 2]);
    expect(summary.irVersion).toBe(7);
    expect(summary.opset).toEqual([{ domain: "", version: 13 }]);
    for (const seed of [1, 2]) {
      const x = noise(512 * 512 * 3, seed);
      // scale the second input so standardization matters
      if (seed === 2) for (let i = 0; i < x.length; i++) x[i] = x[i]! * 4000 + 100;
      const packed = await runModel(bytes, x, [1, 512, 512, 3]);
      const original = await runModel(unet, referencePreprocess(x, 512, 512), [1, 3, 512, 512]);
      const expected = referenceSoftmaxNhwc(original.data, 2, 512, 512);
      expect(packed.dims).toEqual([1, 512, 512, 2]);
      expect(maxAbsDiff(packed.data, expected)).toBeLessThanOrEqual(1e-5);
    }
    checked["unet-512"] = bytes;
  });
});

describe("adaptModel: keeps what it does not edit", () => {
  it("keeps IR version, opset imports, producer, metadata_props, doc strings and unknown fields", () => {
    const model = decodeModel(onnxFixture("unet_nchw.onnx"));
    model.docString = "model doc";
    model.metadataProps.push({ $typeName: "onnx.StringStringEntryProto", key: "author", value: "me" });
    model.graph!.docString = "graph doc";
    model.graph!.input[0]!.docString = "input doc";
    model.graph!.node[0]!.docString = "node doc";
    const base = encodeModel(model);
    const extra = new Uint8Array([0x9a, 0x06, 0x02, 0x68, 0x69]); // unknown field 99 = "hi"
    const withUnknown = new Uint8Array([...base, ...extra]);
    const out = decodeModel(adaptModel(withUnknown, unetOptions([64, 64])).bytes);
    expect(out.irVersion).toBe(7n);
    expect(out.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([["", 13]]);
    expect([out.producerName, out.producerVersion]).toEqual([model.producerName, model.producerVersion]);
    expect(out.docString).toBe("model doc");
    expect(out.metadataProps.map((p) => [p.key, p.value])).toEqual([["author", "me"]]);
    expect(out.graph!.docString).toBe("graph doc");
    expect(out.graph!.input[0]!.docString).toBe("input doc");
    expect(out.graph!.node.some((n) => n.docString === "node doc")).toBe(true);
    const again = encodeModel(out);
    expect(Buffer.from(again.subarray(again.length - extra.length)).equals(Buffer.from(extra))).toBe(true);
    // every new name is unique
    const names = out.graph!.node.map((n) => n.name);
    expect(new Set(names).size).toBe(names.length);
    const tensors = out.graph!.node.flatMap((n) => n.output);
    expect(new Set(tensors).size).toBe(tensors.length);
  });

  it("keeps external-data references of initializers untouched", () => {
    const model = decodeModel(onnxFixture("unet_nchw.onnx"));
    const w = model.graph!.initializer[0]!;
    w.rawData = new Uint8Array(0);
    w.dataLocation = 1; // EXTERNAL
    w.externalData = [
      { $typeName: "onnx.StringStringEntryProto", key: "location", value: "weights.bin" },
      { $typeName: "onnx.StringStringEntryProto", key: "offset", value: "0" },
    ];
    const out = decodeModel(adaptModel(encodeModel(model), unetOptions()).bytes);
    const w2 = out.graph!.initializer.find((t) => t.name === w.name)!;
    expect(w2.dataLocation).toBe(1);
    expect(w2.externalData.map((e) => [e.key, e.value])).toEqual([
      ["location", "weights.bin"],
      ["offset", "0"],
    ]);
  });

  it("casts a uint8 input: cast-input + scale=1/255 gives x / 255", async () => {
    const base = identityModel(13, DT.FLOAT, ["batch", "height", "width", 3]);
    const { bytes, summary } = adaptModel(base, { inputCast: "uint8", preprocessing: parseOpList(`scale=${1 / 255}`) });
    expect(summary.inputs[0]!.type).toBe("uint8");
    const data = Uint8Array.from([0, 1, 2, 127, 128, 255]);
    const out = await runModel(bytes, data, [1, 1, 2, 3]);
    expect([...out.data]).toEqual([...data].map((v) => Math.fround(v * Math.fround(1 / 255))));
    checked["cast-uint8"] = bytes;
    const u16 = adaptModel(base, { inputCast: "uint16" });
    const out16 = await runModel(u16.bytes, Uint16Array.from([0, 65535, 4095, 1, 2, 3]), [1, 1, 2, 3]);
    expect([...out16.data]).toEqual([0, 65535, 4095, 1, 2, 3]);
  });
});

describe("adaptModel: the real czmodel files", () => {
  it.each([
    ["simple_nuclei_segmodel.czann", 2],
    ["simple_kidney_regmodel.czann", 1],
    ["simple_pytorch_nuclei_segmodel_pytorch.czann", 2],
    ["simple_nuclei_segmodel_legacy.czseg", 2],
  ] as const)("re-packs %s at 512×512 with per-image-standardization", async (file, k) => {
    const { bytes, summary, steps } = adaptModel(realModel(file), {
      spatialDims: [512, 512],
      preprocessing: parseOpList("per-image-standardization"),
    });
    expect(summary.inputs[0]!.shape.slice(1)).toEqual([512, 512, 1]);
    expect(summary.outputs[0]!.shape.slice(1)).toEqual([512, 512, k]);
    expect(steps[0]).toMatch(/^pre: /);
    const out = await runModel(bytes, noise(512 * 512), [1, 512, 512, 1]);
    expect(out.dims).toEqual([1, 512, 512, k]);
    checked[`real-${file}`] = bytes;
  });

  it("rewrites the tf2onnx shape constants of the kidney model (Reshape and Resize sizes)", () => {
    const { steps } = adaptModel(realModel("simple_kidney_regmodel.czann"), { spatialDims: [256, 384] });
    expect(steps.filter((s) => s.includes("rewrote"))).toEqual([
      '  rewrote Reshape "StatefulPartitionedCall/model_1/model/sequential/conv2d/BiasAdd__6": [-1, 1, 1024, 1024] → [-1, 1, 256, 384]',
      '  rewrote Resize "Resize__37": [512, 512] → [128, 192]',
      '  rewrote Resize "Resize__54": [1024, 1024] → [256, 384]',
      '  rewrote Reshape "Transpose__66": [-1, 1024, 1024, 1] → [-1, 256, 384, 1]',
    ]);
  });
});

describe("adaptModel: refusals and warnings", () => {
  const expectError = (fn: () => unknown, re: RegExp) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CzmodelError);
    expect((err as CzmodelError).message).not.toContain("\n");
    expect((err as CzmodelError).message).toMatch(re);
  };

  it("refuses a model that is not spatially invariant (Flatten + Gemm)", () => {
    expectError(
      () => adaptModel(onnxFixture("not_invariant.onnx"), { spatialDims: [64, 64] }),
      /^--spatial-dims: the model is not spatially invariant: Flatten node ".*" flattens the feature map/,
    );
  });

  it("refuses rgb-to-bgr on a 1-channel model", () => {
    expectError(
      () => adaptModel(realModel("simple_nuclei_segmodel.czann"), { preprocessing: parseOpList("rgb-to-bgr") }),
      /^--preprocess rgb-to-bgr: needs 3 channels \(RGB\) but the tensor has 1$/,
    );
  });

  it("refuses a two-input model", () => {
    expectError(
      () => adaptModel(onnxFixture("two_inputs.onnx"), { preprocessing: parseOpList("scale=2") }),
      /exactly 1 input and 1 output; this one has 2 input\(s\)/,
    );
  });

  it("refuses per-channel values that do not match the channel count, and channels-first on rank 2", () => {
    expectError(
      () => adaptModel(realModel("simple_nuclei_segmodel.czann"), { preprocessing: parseOpList("scale=1:2") }),
      /^--preprocess scale=1:2: has 2 per-channel values for scale but the tensor has 1 channels/,
    );
    const rank2 = identityModel(13, DT.FLOAT, [1, 4]);
    expectError(() => adaptModel(rank2, { channelsFirst: true }), /--channels-first needs an input of rank >= 3/);
  });

  it("refuses layout edits on a channels-first model not declared channels-first, with the hint", () => {
    const unet = onnxFixture("unet_nchw.onnx");
    const hint =
      "looks channels-first (NCHW: 3 channels at axis 1, the spatial dims after it), but the edits assume channels last (NHWC); " +
      "add --channels-first to wrap the model in NHWC ↔ NCHW transposes";
    expectError(
      () => adaptModel(unet, { spatialDims: [64, 64] }),
      new RegExp(`^--spatial-dims: the model input \\[batch, 3, height, width\\] ${escapeRegExp(hint)}$`),
    );
    for (const op of ["rgb-to-bgr", "per-image-standardization", "scale=1:2:3", "transpose-channels=2/1/0"]) {
      expectError(
        () => adaptModel(unet, { preprocessing: parseOpList(`${op},clip=0/1`) }),
        new RegExp(`^--preprocess ${escapeRegExp(op)}: the model input \\[batch, 3, height, width\\] ${escapeRegExp(hint)}$`),
      );
    }
    expectError(
      () => adaptModel(unet, { postprocessing: parseOpList("softmax", "post") }),
      /^--postprocess softmax: the model output \[batch, 2, height, width\] looks channels-first \(NCHW: 2 channels at axis 1, .*add --channels-first/,
    );
    // with --channels-first the same requests work; a cast alone does not depend on the layout
    expect(adaptModel(unet, { channelsFirst: true, spatialDims: [64, 64] }).summary.inputs[0]!.shape).toEqual(["batch", 64, 64, 3]);
    expect(adaptModel(unet, { inputCast: "uint8" }).summary.inputs[0]!.shape).toEqual(["batch", 3, "height", "width"]);
  });

  it("refuses --channels-first on a model that already looks channels-last (the real NHWC models), unless forced", () => {
    const cases: [string, string][] = [
      ["simple_nuclei_segmodel.czann", "[unk__15, 1024, 1024, 1]"],
      ["simple_kidney_regmodel.czann", "[unk__75, 1024, 1024, 1]"],
      ["simple_pytorch_nuclei_segmodel_pytorch.czann", "[batch_size, 512, 512, 1]"],
      ["simple_nuclei_segmodel_legacy.czseg", "[unk__29, 1024, 1024, 1]"],
    ];
    for (const [file, dims] of cases) {
      const text =
        `--channels-first: the model input ${dims} already looks channels-last (NHWC: 1 channel on the last axis, the spatial dims before it), ` +
        "so wrapping it in NHWC ↔ NCHW transposes would break it; drop --channels-first (or add --force if the model really is NCHW)";
      expectError(() => adaptModel(realModel(file), { channelsFirst: true }), new RegExp(`^${escapeRegExp(text)}$`));
      // also with other edits asked for at the same time
      expectError(
        () => adaptModel(realModel(file), { channelsFirst: true, postprocessing: parseOpList("clip=0/1", "post") }),
        /already looks channels-last/,
      );
    }
    // forced, the transposes are applied as asked: the NHWC input [n, 512, 512, 1] is read as NCHW
    const forced = adaptModel(realModel("simple_pytorch_nuclei_segmodel_pytorch.czann"), { channelsFirst: true, forceLayout: true });
    expect(forced.summary.inputs[0]!.shape).toEqual(["batch_size", 512, 1, 512]);
    expect(forced.steps).toContain("input: NHWC → NCHW transpose");
  });

  it("accepts --channels-first on NHWC-looking dims when the graph feeds the input to a Conv (NCHW by ONNX's definition)", async () => {
    // NCHW [1, 32, 64, 3]: 32 channels, a 64×3 image; a 1×1 Conv summing the channels into 2 outputs
    const weights = Array.from({ length: 2 * 32 }, (_, i) => (i < 32 ? 1 : -1));
    const model = encodeModel(
      create(ModelProtoSchema, {
        irVersion: 7n,
        opsetImport: [create(OperatorSetIdProtoSchema, { domain: "", version: 13n })],
        graph: create(GraphProtoSchema, {
          name: "conv",
          node: [makeNode("Conv", ["x", "w"], ["y"], "conv", { kernel_shape: { ints: [1, 1] } })],
          initializer: [floatTensor("w", weights, [2, 32, 1, 1])],
          input: [makeTensorValueInfo("x", DT.FLOAT, [1, 32, 64, 3])],
          output: [makeTensorValueInfo("y", DT.FLOAT, [1, 2, 64, 3])],
        }),
      }),
    );
    const adapted = adaptModel(model, { channelsFirst: true });
    expect(adapted.summary.inputs[0]!.shape).toEqual([1, 64, 3, 32]);
    expect(adapted.summary.outputs[0]!.shape).toEqual([1, 64, 3, 2]);
    const x = noise(64 * 3 * 32, 7); // NHWC
    const out = await runModel(adapted.bytes, x, [1, 64, 3, 32]);
    const expected = new Float32Array(64 * 3 * 2);
    for (let p = 0; p < 64 * 3; p++) {
      let sum = 0;
      for (let c = 0; c < 32; c++) sum += x[p * 32 + c]!;
      expected[p * 2] = sum;
      expected[p * 2 + 1] = -sum;
    }
    expect(out.dims).toEqual([1, 64, 3, 2]);
    expect(maxAbsDiff(out.data, expected)).toBeLessThan(1e-4);
  });

  it("transpose-channels: names the model's channel count, gaps and repeats", () => {
    const unet = onnxFixture("unet_nchw.onnx"); // 3 input channels, 2 output channels
    const tc =
      (order: string, role: "pre" | "post" = "pre") =>
      () =>
        adaptModel(unet, {
          channelsFirst: true,
          [role === "pre" ? "preprocessing" : "postprocessing"]: parseOpList(`transpose-channels=${order}`, role),
        });
    const exact = (fn: () => unknown, text: string) => expectError(fn, new RegExp(`^${escapeRegExp(text)}$`));
    exact(
      tc("2/0"),
      "--preprocess transpose-channels=2/0: the order lists 2 channels but the model input has 3; the channel order 2/0 is not a permutation without gaps (missing 1) (allowed: a permutation of 0..2, e.g. 2/1/0)",
    );
    exact(
      tc("2/2/0"),
      "--preprocess transpose-channels=2/2/0: the channel order 2/2/0 is not a permutation without gaps (missing 1; repeated 2) (allowed: a permutation of 0..2, e.g. 2/1/0)",
    );
    exact(
      tc("0/2/3"),
      "--preprocess transpose-channels=0/2/3: the channel order 0/2/3 is not a permutation without gaps (missing 1; 3 is beyond the last channel 2) (allowed: a permutation of 0..2, e.g. 2/1/0)",
    );
    exact(
      tc("0/1"),
      "--preprocess transpose-channels=0/1: the order lists 2 channels but the model input has 3; the channel order 0/1 is not a permutation without gaps (missing 2) (allowed: a permutation of 0..2, e.g. 2/1/0)",
    );
    exact(
      tc("3/2/1/0"),
      "--preprocess transpose-channels=3/2/1/0: the order lists 4 channels but the model input has 3; the channel order 3/2/1/0 is not a permutation without gaps (3 is beyond the last channel 2) (allowed: a permutation of 0..2, e.g. 2/1/0)",
    );
    exact(
      tc("2/1/0", "post"),
      "--postprocess transpose-channels=2/1/0: the order lists 3 channels but the model output has 2; the channel order 2/1/0 is not a permutation without gaps (2 is beyond the last channel 1) (allowed: a permutation of 0..1, e.g. 1/0)",
    );
    expect(tc("2/0/1")().steps).toContain("pre: channels reordered to 2, 0, 1");
    expect(tc("1/0", "post")().steps).toContain("post: channels reordered to 1, 0");
    // channel count left open: checked against the order's own length, with a warning
    const open = identityModel(13, DT.FLOAT, ["batch", "height", "width", "channels"]);
    expect(adaptModel(open, { preprocessing: parseOpList("transpose-channels=1/0") }).warnings).toEqual([
      "--preprocess transpose-channels=1/0: the channel count is not fixed in the model; it must be 2 (the order lists 2 channels)",
    ]);
    exact(
      () => adaptModel(open, { preprocessing: parseOpList("transpose-channels=0/0") }),
      "--preprocess transpose-channels=0/0: the channel order 0/0 is not a permutation without gaps (missing 1; repeated 0) (allowed: a permutation of 0..1 (the order's own length; the model leaves the channel count open), e.g. 1/0)",
    );
  });

  it("refuses a spatial size the model's pooling cannot take", () => {
    expectError(
      () => adaptModel(realModel("simple_kidney_regmodel.czann"), { spatialDims: [511, 512] }),
      /spatial size 511 does not work for Resize node "Resize__37", which works at 1\/2 of the input size/,
    );
  });

  it("warns when softmax is appended to an output that already is a softmax", () => {
    const { warnings } = adaptModel(realModel("simple_nuclei_segmodel.czann"), { postprocessing: parseOpList("softmax", "post") });
    expect(warnings).toEqual([
      "--postprocess softmax: the model's output already comes from a Softmax node; a second softmax squeezes the probabilities towards uniform",
    ]);
  });

  it("refuses models that are not ONNX", () => {
    expectError(() => adaptModel(new Uint8Array([0x50, 0x4b, 3, 4]), { spatialDims: [8, 8] }), /not an ONNX model: it is a ZIP archive/);
  });
});

afterAll(async () => {
  if (!hasPythonOnnx()) {
    console.warn("SKIPPED: Debian /usr/bin/python3 with python3-onnx is missing; onnx.checker not run on adapted models");
    return;
  }
  const results = checkWithPython(checked, await tempDir("czmodel-adapt-check-"));
  expect(Object.keys(results).length).toBeGreaterThanOrEqual(7);
  for (const [name, r] of Object.entries(results)) expect(`${name}: ${r}`).toBe(`${name}: ok`);
});
