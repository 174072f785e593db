/** Graph-editing utilities: unique names, renames that reach into subgraphs, opset forms. */
import { create } from "@bufbuild/protobuf";
import {
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProto_DataType as DT,
} from "onnx-buf";
import { describe, expect, it } from "vitest";
import { adaptModel } from "../../src/onnx/adapt.js";
import { GraphBuilder } from "../../src/onnx/graph/builder.js";
import { NameAllocator } from "../../src/onnx/graph/names.js";
import { makeNode, makeTensorValueInfo } from "../../src/onnx/graph/nodes.js";
import { floatTensor } from "../../src/onnx/graph/tensors.js";
import { decodeModel, encodeModel } from "../../src/onnx/model-io.js";
import { parseOpList } from "../../src/onnx/ops/index.js";
import { tempDir } from "../helpers/paths.js";
import { checkWithPython, hasPythonOnnx, onnxFixture, runModel } from "./helpers.js";

/** x → If(cond) { then: y = Identity(x) (reads the outer x), else: y = Neg(x) } → y. */
function modelWithIf(): Uint8Array {
  const branch = (op: string, name: string) =>
    create(GraphProtoSchema, {
      name,
      node: [makeNode(op, ["x"], [`${name}_out`], `${name}_node`)],
      output: [makeTensorValueInfo(`${name}_out`, DT.FLOAT, [1, 2, 2, 1])],
    });
  const ifNode = makeNode("If", ["cond"], ["y"], "if");
  ifNode.attribute.push(
    create(AttributeProtoSchema, { name: "then_branch", type: AT.GRAPH, g: branch("Identity", "then") }),
    create(AttributeProtoSchema, { name: "else_branch", type: AT.GRAPH, g: branch("Neg", "else") }),
  );
  const cond = floatTensor("unused", [0], [1]);
  cond.name = "cond";
  cond.dataType = DT.BOOL;
  cond.rawData = new Uint8Array([1]);
  cond.dims = [];
  return encodeModel(
    create(ModelProtoSchema, {
      irVersion: 7n,
      opsetImport: [create(OperatorSetIdProtoSchema, { domain: "", version: 13n })],
      graph: create(GraphProtoSchema, {
        name: "main",
        node: [ifNode],
        initializer: [cond],
        input: [makeTensorValueInfo("x", DT.FLOAT, [1, 2, 2, 1])],
        output: [makeTensorValueInfo("y", DT.FLOAT, [1, 2, 2, 1])],
      }),
    }),
  );
}

describe("graph utilities", () => {
  it("hands out names not used anywhere in the model, subgraphs included", () => {
    const names = new NameAllocator(decodeModel(modelWithIf()));
    expect(names.fresh("then_out")).toBe("then_out_1");
    expect(names.fresh("x")).toBe("x_1");
    expect(names.fresh("x")).toBe("x_2");
    expect(names.fresh("new")).toBe("new");
  });

  it("renames the input inside subgraphs: a pre op reaches the If branch that reads x", async () => {
    const { bytes } = adaptModel(modelWithIf(), { preprocessing: parseOpList("scale=2"), postprocessing: parseOpList("shift=1", "post") });
    const out = await runModel(bytes, Float32Array.from([1, 2, 3, 4]), [1, 2, 2, 1]);
    expect([...out.data]).toEqual([3, 5, 7, 9]);
    const m = decodeModel(bytes);
    expect(m.graph!.input.map((v) => v.name)).toEqual(["x"]);
    expect(m.graph!.output.map((v) => v.name)).toEqual(["y"]);
    if (hasPythonOnnx()) {
      const r = checkWithPython({ if_model: bytes }, await tempDir());
      expect(r.if_model).toBe("ok");
    }
  });

  it("emits Clip bounds as attributes below opset 11 and as inputs from 11", () => {
    const model = decodeModel(onnxFixture("two_inputs.onnx"));
    for (const [opset, inputs, attrs] of [
      [10, 1, ["min", "max"]],
      [11, 3, []],
    ] as const) {
      const b = GraphBuilder.forModel(model, opset);
      b.clip("a", 0, 1);
      const clip = b.nodes.find((n) => n.opType === "Clip")!;
      expect(clip.input.length).toBe(inputs);
      expect(clip.attribute.map((a) => a.name)).toEqual(attrs);
    }
    const b = GraphBuilder.forModel(model, 12);
    b.clip("a", undefined, 1);
    expect(b.nodes[0]!.input).toEqual(["a", "", b.initializers[0]!.name]);
  });
});
