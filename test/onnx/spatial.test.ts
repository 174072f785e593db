/**
 * Spatial invariance: the static blockers, and the run-time proof with onnxruntime-node at two
 * sizes, on the fixture U-Net, the real fixed-size tf2onnx models, and small hand-built graphs.
 */
import { create } from "@bufbuild/protobuf";
import { GraphProtoSchema, ModelProtoSchema, OperatorSetIdProtoSchema, TensorProto_DataType as DT } from "onnx-buf";
import { describe, expect, it } from "vitest";
import { CzmodelError } from "../../src/errors.js";
import { adaptModel } from "../../src/onnx/adapt.js";
import { makeNode, makeTensorValueInfo, type AttrValue } from "../../src/onnx/graph/nodes.js";
import { int64Tensor } from "../../src/onnx/graph/tensors.js";
import { encodeModel } from "../../src/onnx/model-io.js";
import { checkSpatialInvariance, defaultInvarianceSizes } from "../../src/onnx/spatial/check-invariance.js";
import { onnxFixture, ort, realModel } from "./helpers.js";

/** NHWC [1, 8, 8, 1] → one node (with an optional int64 constant input) → output. */
function oneNodeModel(
  op: string,
  constant: number[] | undefined,
  attrs: Record<string, AttrValue>,
  outDims: (number | null)[],
): Uint8Array {
  const inputs = ["x", ...(constant ? ["c"] : [])];
  return encodeModel(
    create(ModelProtoSchema, {
      irVersion: 7n,
      opsetImport: [create(OperatorSetIdProtoSchema, { domain: "", version: 13n })],
      graph: create(GraphProtoSchema, {
        name: "g",
        node: [makeNode(op, inputs, ["y"], "n", attrs)],
        initializer: constant ? [int64Tensor("c", constant, [constant.length])] : [],
        input: [makeTensorValueInfo("x", DT.FLOAT, [1, 8, 8, 1])],
        output: [makeTensorValueInfo("y", DT.FLOAT, outDims)],
      }),
    }),
  );
}

async function rejection(p: Promise<unknown>): Promise<CzmodelError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CzmodelError);
    expect((e as CzmodelError).message).not.toContain("\n");
    return e as CzmodelError;
  }
  throw new Error("expected a rejection");
}

describe("checkSpatialInvariance", () => {
  it("proves the channels-first U-Net invariant at 64×64 and 128×96", async () => {
    const { bytes } = adaptModel(onnxFixture("unet_nchw.onnx"), { channelsFirst: true });
    const r = await checkSpatialInvariance(bytes, ort);
    expect(r.runs.map((x) => [x.input, x.output])).toEqual([
      [
        [1, 64, 64, 3],
        [1, 64, 64, 2],
      ],
      [
        [1, 128, 96, 3],
        [1, 128, 96, 2],
      ],
    ]);
    expect(r.outputScale).toEqual([1, 1]);
  });

  it.each(["simple_kidney_regmodel.czann", "simple_nuclei_segmodel_legacy.czseg"])(
    "proves the fixed-size tf2onnx model %s invariant (its shape constants rewritten)",
    async (file) => {
      const r = await checkSpatialInvariance(realModel(file), ort, { target: [256, 256] });
      expect(r.runs.map((x) => x.output.slice(1, 3))).toEqual([
        [256, 256],
        [128, 128],
      ]);
    },
  );

  it("refuses the Flatten + Gemm model statically, naming the node", async () => {
    const e = await rejection(checkSpatialInvariance(onnxFixture("not_invariant.onnx"), ort));
    expect(e.code).toBe("UNSUPPORTED");
    expect(e.message).toMatch(/^--spatial-dims: the model is not spatially invariant: Flatten node "[^"]+" flattens the feature map/);
  });

  it("refuses a model whose fixed Reshape fails at another size, with the runtime's reason", async () => {
    const model = oneNodeModel("Reshape", [1, 4, 16, 1], {}, [1, 4, 16, 1]);
    const e = await rejection(
      checkSpatialInvariance(model, ort, {
        sizes: [
          [8, 8],
          [16, 16],
        ],
      }),
    );
    expect(e.message).toMatch(/^--spatial-dims: the model is not spatially invariant: it fails at 16×16: .*/);
  });

  it("refuses a model whose output size does not follow the input (global pooling)", async () => {
    const model = oneNodeModel("ReduceMean", undefined, { axes: { ints: [1, 2] } }, [1, 1, 1, 1]);
    const e = await rejection(checkSpatialInvariance(model, ort));
    expect(e.message).toBe(
      "--spatial-dims: the model is not spatially invariant: its output size does not follow the input size ([1, 1, 1, 1] at 64×64, [1, 1, 1, 1] at 128×96) (allowed: fully convolutional models)",
    );
  });

  it("defaults to the target and half of it", () => {
    expect(defaultInvarianceSizes([512, 512])).toEqual([
      [512, 512],
      [256, 256],
    ]);
    expect(defaultInvarianceSizes(undefined)).toEqual([
      [64, 64],
      [128, 96],
    ]);
  });
});
