/**
 * Structural rules on impossible networks: a payload ZEN cannot load is an error, never a
 * warning on a "valid" model. The subjects start from the real nuclei model's facts and change
 * one thing each.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readModelFile } from "../../src/container/node/index.js";
import { readPayloadFacts } from "../../src/inspect/payload.js";
import { validateStructure, type ValidationSubject } from "../../src/validate/structural.js";
import { subjectFor } from "../../src/validate/subject.js";
import { testdata } from "../helpers/paths.js";

let real: ValidationSubject;

beforeAll(async () => {
  const file = await readModelFile(testdata("models", "simple_nuclei_segmodel.czann"));
  real = subjectFor(file.metadata, readPayloadFacts(file.modelBytes, file.payloadKind), file.warnings);
});

const errorsOf = (s: ValidationSubject) =>
  validateStructure(s, "zen-3.13")
    .findings.filter((f) => f.severity === "error")
    .map((f) => f.code);

describe("structural rules on impossible networks", () => {
  it("the real model is valid (the baseline the other cases change)", () => {
    expect(errorsOf(real)).toEqual([]);
  });

  it("input or output dims of -5 or 0 are the error input-dims / output-dims", () => {
    const onnx = real.onnx!;
    const input = { ...onnx.inputs[0]!, shape: [1, -5, 1024, 1] };
    const output = { ...onnx.outputs[0]!, shape: [1, 1024, 0, 2] };
    expect(errorsOf({ ...real, onnx: { ...onnx, inputs: [input] } })).toContain("input-dims");
    expect(errorsOf({ ...real, onnx: { ...onnx, outputs: [output] } })).toContain("output-dims");
  });

  it("an input or output dim of 2^31 is input-dims / output-dims: no tile is that large (issue 12 point 10)", () => {
    const onnx = real.onnx!;
    const input = { ...onnx.inputs[0]!, shape: [1, 2 ** 31, 1024, 1] };
    const output = { ...onnx.outputs[0]!, shape: [1, 1024, 2 ** 31, 2] };
    const report = validateStructure({ ...real, onnx: { ...onnx, inputs: [input] } }, "zen-3.13");
    expect(report.findings.find((f) => f.code === "input-dims")?.message).toBe(
      "shape [1, 2147483648, 1024, 1] is larger than any tile can be (allowed: each side up to 16384, 67108864 pixels a tile)",
    );
    expect(errorsOf({ ...real, onnx: { ...onnx, outputs: [output] } })).toContain("output-dims");
  });

  it("a pickle payload in a .czann is the error pickle-payload (a legacy random-forest .czseg keeps its warning)", () => {
    const { onnx: _, ...noOnnx } = real;
    expect(errorsOf({ ...noOnnx, payloadKind: "pickle" })).toEqual(["pickle-payload"]);
    const legacy = validateStructure({ ...noOnnx, payloadKind: "pickle", format: "czmodel", classes: ["a", "b"] }, "zen-3.13");
    expect(legacy.findings.find((f) => f.code === "pickle-payload")?.severity).toBe("warning");
  });

  it("an ONNX payload that could not be parsed is the error onnx-unreadable, with the reader's reason", () => {
    const { onnx: _, ...noOnnx } = real;
    const report = validateStructure({ ...noOnnx, onnxFailure: "premature EOF" }, "zen-3.13");
    expect(report.ok).toBe(false);
    expect(report.findings.find((f) => f.code === "onnx-unreadable")?.message).toBe("the ONNX model cannot be parsed: premature EOF");
  });
});
