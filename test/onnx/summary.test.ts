/** Expected values were read with Debian's python3-onnx 1.12 (`onnx.load`, graph.input/output). */
import { describe, expect, it } from "vitest";
import { decodeModel } from "../../src/onnx/model-io.js";
import { summarizeOnnx } from "../../src/onnx/summary.js";
import { onnxFixture, realModel } from "./helpers.js";

describe("summarizeOnnx", () => {
  it("summarizes the tf2onnx nuclei model", () => {
    expect(summarizeOnnx(realModel("simple_nuclei_segmodel.czann"))).toEqual({
      irVersion: 7,
      opset: [{ domain: "", version: 12 }],
      defaultOpset: 12,
      producer: { name: "tf2onnx", version: "1.9.3" },
      inputs: [{ name: "input:0", type: "float32", shape: ["unk__15", 1024, 1024, 1] }],
      outputs: [{ name: "Identity:0", type: "float32", shape: ["unk__16", 1024, 1024, 2] }],
    });
  });

  it("summarizes the PyTorch model and accepts a decoded ModelProto", () => {
    const s = summarizeOnnx(decodeModel(realModel("simple_pytorch_nuclei_segmodel_pytorch.czann")));
    expect(s.producer).toEqual({ name: "pytorch", version: "2.0.1" });
    expect(s.inputs).toEqual([{ name: "input", type: "float32", shape: ["batch_size", 512, 512, 1] }]);
    expect(s.outputs).toEqual([{ name: "output", type: "float32", shape: ["batch_size", 512, 512, 2] }]);
  });

  it("keeps symbolic dims and lists both inputs of a two-input model", () => {
    expect(summarizeOnnx(onnxFixture("unet_nchw.onnx")).inputs).toEqual([
      { name: "input", type: "float32", shape: ["batch", 3, "height", "width"] },
    ]);
    expect(summarizeOnnx(onnxFixture("two_inputs.onnx")).inputs.map((i) => i.name)).toEqual(["a", "b"]);
  });

  it("leaves out initializers listed as graph inputs (old IR) and reports unknown dims as null", () => {
    const model = decodeModel(realModel("simple_nuclei_segmodel.czann"));
    const graph = model.graph!;
    // old-IR style: every initializer also appears in graph.input
    for (const init of graph.initializer) {
      graph.input.push({ ...graph.input[0]!, name: init.name });
    }
    const dim = graph.input[0]!.type!.value.value as { shape: { dim: { value: { case: unknown } }[] } };
    dim.shape.dim[0]!.value = { case: undefined };
    const s = summarizeOnnx(model);
    expect(s.inputs).toEqual([{ name: "input:0", type: "float32", shape: [null, 1024, 1024, 1] }]);
  });
});
