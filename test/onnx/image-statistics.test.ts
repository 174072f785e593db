/**
 * `findImageStatistics`: which nodes compute statistics over the image (one-node graphs for each
 * rule, the pre-processing ops this project adds, the fixtures and the real models).
 */
import { readFileSync } from "node:fs";
import { create } from "@bufbuild/protobuf";
import { AttributeProtoSchema, GraphProtoSchema, ModelProtoSchema, OperatorSetIdProtoSchema, TensorProto_DataType as DT } from "onnx-buf";
import { describe, expect, it } from "vitest";
import { adaptModel, parseOpList } from "../../src/onnx/index.js";
import { makeNode, makeTensorValueInfo, type AttrValue } from "../../src/onnx/graph/nodes.js";
import { int64Tensor } from "../../src/onnx/graph/tensors.js";
import { findImageStatistics } from "../../src/onnx/image-statistics.js";
import { encodeModel } from "../../src/onnx/model-io.js";
import { imageStatisticsProblem } from "../../src/validate/zen-rules.js";
import { fixture } from "../helpers/paths.js";
import { realModel } from "./helpers.js";

/** NHWC [1, 8, 8, 1] → one node (optionally with an int64 constant second input) → y. */
function oneNode(op: string, attrs: Record<string, AttrValue> = {}, axesInput?: number[], opset = 13): Uint8Array {
  return encodeModel(
    create(ModelProtoSchema, {
      irVersion: 7n,
      opsetImport: [create(OperatorSetIdProtoSchema, { domain: "", version: BigInt(opset) })],
      graph: create(GraphProtoSchema, {
        name: "g",
        node: [makeNode(op, ["x", ...(axesInput ? ["axes"] : [])], ["y"], "n", attrs)],
        initializer: axesInput ? [int64Tensor("axes", axesInput, [axesInput.length])] : [],
        input: [makeTensorValueInfo("x", DT.FLOAT, [1, 8, 8, 1])],
        output: [makeTensorValueInfo("y", DT.FLOAT, [null, null, null, null])],
      }),
    }),
  );
}

const reasons = (bytes: Uint8Array) => findImageStatistics(bytes).map((s) => `${s.opType}: ${s.reason}`);

describe("findImageStatistics", () => {
  it("reports reductions over all axes or over two non-batch axes or more", () => {
    expect(reasons(oneNode("ReduceMean"))).toEqual(["ReduceMean: over all axes"]);
    expect(reasons(oneNode("ReduceMax", { axes: { ints: [1, 2] } }))).toEqual(["ReduceMax: over axes [1, 2]"]);
    expect(reasons(oneNode("ReduceMin", { axes: { ints: [-2, -1] } }))).toEqual(["ReduceMin: over axes [-2, -1]"]);
    expect(reasons(oneNode("ReduceSumSquare", { axes: { ints: [0, 1, 2, 3] } }))).toEqual(["ReduceSumSquare: over axes [0, 1, 2, 3]"]);
    // opset 13 ReduceSum / opset 18 Reduce*: axes as an input
    expect(reasons(oneNode("ReduceSum", {}, [1, 2, 3]))).toEqual(["ReduceSum: over axes [1, 2, 3]"]);
    expect(reasons(oneNode("ReduceL2", {}, [2, 3], 18))).toEqual(["ReduceL2: over axes [2, 3]"]);
  });

  it("leaves out per-pixel reductions over one axis, the batch axis, no-ops and axes computed at run time", () => {
    expect(reasons(oneNode("ReduceMax", { axes: { ints: [-1] } }))).toEqual([]);
    expect(reasons(oneNode("ReduceSum", { axes: { ints: [1] } }))).toEqual([]);
    expect(reasons(oneNode("ReduceMean", { axes: { ints: [0] } }))).toEqual([]);
    expect(reasons(oneNode("ReduceSum", { noop_with_empty_axes: { int: 1 } }))).toEqual([]);
    const computed = create(ModelProtoSchema, {
      irVersion: 7n,
      opsetImport: [create(OperatorSetIdProtoSchema, { domain: "", version: 13n })],
      graph: create(GraphProtoSchema, {
        name: "g",
        node: [makeNode("Shape", ["x"], ["s"], "shape"), makeNode("ReduceSum", ["x", "s"], ["y"], "n")],
        input: [makeTensorValueInfo("x", DT.FLOAT, [1, 8, 8, 1])],
        output: [makeTensorValueInfo("y", DT.FLOAT, [null])],
      }),
    });
    expect(findImageStatistics(computed)).toEqual([]);
  });

  it("reports normalisations, global pooling and TopK", () => {
    expect(reasons(oneNode("InstanceNormalization"))).toEqual(["InstanceNormalization: normalises each channel over the image"]);
    expect(reasons(oneNode("MeanVarianceNormalization"))).toEqual(["MeanVarianceNormalization: normalises over axes [0, 2, 3]"]);
    expect(reasons(oneNode("MeanVarianceNormalization", { axes: { ints: [1] } }))).toEqual([]);
    expect(reasons(oneNode("GlobalAveragePool"))).toEqual(["GlobalAveragePool: pools over the whole image"]);
    expect(reasons(oneNode("GlobalMaxPool"))).toEqual(["GlobalMaxPool: pools over the whole image"]);
    expect(reasons(oneNode("GlobalLpPool"))).toEqual(["GlobalLpPool: pools over the whole image"]);
    expect(reasons(oneNode("TopK"))).toEqual(["TopK: sorts values (top-k, percentiles)"]);
    expect(reasons(oneNode("LayerNormalization", { axis: { int: 1 } }, undefined, 17))).toEqual([
      "LayerNormalization: normalises over the axes from 1 on",
    ]);
    expect(reasons(oneNode("LayerNormalization", {}, undefined, 17))).toEqual([]);
    // local ops are not statistics over the image
    for (const op of ["MaxPool", "AveragePool", "BatchNormalization", "Softmax", "Relu", "LRN"]) expect(reasons(oneNode(op))).toEqual([]);
  });

  it("searches subgraphs", () => {
    const body = create(GraphProtoSchema, {
      name: "then",
      node: [makeNode("ReduceMean", ["x"], ["m"], "inner")],
      output: [makeTensorValueInfo("m", DT.FLOAT, [])],
    });
    const ifNode = makeNode("If", ["cond"], ["y"], "if");
    ifNode.attribute.push(create(AttributeProtoSchema, { name: "then_branch", type: 5, g: body }));
    const model = create(ModelProtoSchema, {
      irVersion: 7n,
      opsetImport: [create(OperatorSetIdProtoSchema, { domain: "", version: 13n })],
      graph: create(GraphProtoSchema, { name: "g", node: [ifNode], input: [makeTensorValueInfo("x", DT.FLOAT, [1, 8, 8, 1])] }),
    });
    expect(findImageStatistics(model)).toEqual([{ node: "inner", opType: "ReduceMean", reason: "over all axes" }]);
  });

  it("finds what per-image-standardization and per-image scale-range add, and the fixture's standardization", () => {
    const nuclei = realModel("simple_nuclei_segmodel.czann");
    const std = adaptModel(nuclei, { preprocessing: parseOpList("per-image-standardization") });
    expect(findImageStatistics(std.bytes).map((s) => `${s.opType}: ${s.reason}`)).toEqual([
      "ReduceMean: over axes [1, 2, 3]",
      "ReduceMean: over axes [1, 2, 3]",
    ]);
    const range = adaptModel(nuclei, { preprocessing: parseOpList("scale-range") });
    expect(findImageStatistics(range.bytes).map((s) => s.opType)).toEqual(["ReduceMin", "ReduceMax"]);
    const fixed = adaptModel(nuclei, { preprocessing: parseOpList("scale-range=0/1,zero-mean-unit-variance=0.5/0.2") });
    expect(findImageStatistics(fixed.bytes)).toEqual([]);
    const stats = new Uint8Array(readFileSync(fixture("validate", "image_stats.onnx")));
    expect(imageStatisticsProblem(findImageStatistics(stats), [64, 32])).toBe(
      'the model computes statistics per image (ReduceMean "/ReduceMean" over axes [1, 2, 3], ReduceMean "/ReduceMean_1" over axes [1, 2, 3]); ' +
        "ZEN computes them per tile, so images larger than the tile 32×64 give results that depend on the tiling",
    );
  });

  it("the real models: none computes statistics over the image (their input normalisation is a fixed shift and scale)", () => {
    for (const file of [
      "simple_nuclei_segmodel.czann",
      "simple_kidney_regmodel.czann",
      "simple_pytorch_nuclei_segmodel_pytorch.czann",
      "simple_nuclei_segmodel_legacy.czseg",
    ]) {
      expect(findImageStatistics(realModel(file)), file).toEqual([]);
    }
  });
});
