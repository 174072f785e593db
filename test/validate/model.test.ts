/**
 * validateModel: the one validation entry gives what the structural rules give on the payload
 * it reads, runs the numeric check only through the injected runner, and computes the numeric
 * check's tile as the engine does (legacy files: the ONNX input's fixed dims, else the XML's).
 */
import { describe, expect, it } from "vitest";
import { readModelFile } from "../../src/container/node/index.js";
import { engineModelFromFile } from "../../src/engine/from-model-file.js";
import { readPayloadFacts } from "../../src/inspect/payload.js";
import { numericMetaFor, validateModel } from "../../src/validate/model.js";
import { nodeRun } from "../../src/validate/node/index.js";
import { validateStructure } from "../../src/validate/structural.js";
import { subjectFor } from "../../src/validate/subject.js";
import { TARGETS } from "../../src/validate/targets.js";
import { testdata } from "../helpers/paths.js";
import { ort, REAL_MODELS } from "../onnx/helpers.js";

describe("validateModel", () => {
  it.each(REAL_MODELS)("%s: structural report equals validateStructure on the same facts, for every target", async (name) => {
    const file = await readModelFile(testdata("models", name));
    for (const target of TARGETS) {
      const { payload, ...report } = validateModel(file, { target });
      expect(report).toEqual(
        validateStructure(subjectFor(file.metadata, readPayloadFacts(file.modelBytes, file.payloadKind), file.warnings), target),
      );
      expect(payload.payloadKind).toBe(file.payloadKind);
    }
  });

  it.each(REAL_MODELS)("%s: the numeric tile matches the engine's tile and channels", async (name) => {
    const file = await readModelFile(testdata("models", name));
    const { model } = engineModelFromFile(file);
    const meta = numericMetaFor(file);
    expect(meta.inputShape).toEqual([...(model.tile ?? [256, 256]), model.inputChannels]);
  });

  it("uses payload facts it is given instead of reading the payload again", async () => {
    const file = await readModelFile(testdata("models", "simple_nuclei_segmodel.czann"));
    const payload = readPayloadFacts(file.modelBytes, file.payloadKind);
    expect(validateModel(file, { payload }).payload).toBe(payload);
  });

  it("runs the numeric check only with a runner, and adds its findings", async () => {
    const file = await readModelFile(testdata("models", "simple_kidney_regmodel.czann"));
    expect(validateModel(file).numeric).toBeUndefined();
    const report = await validateModel(file, { run: { ort } });
    expect(report.numeric?.timing).toBeDefined();
    expect(report.findings.map((f) => f.code)).toContain("time-per-tile");
    expect(report.ok).toBe(true);
    const node = await validateModel(file, { run: nodeRun() });
    expect(node.numeric?.memory?.method).toMatch(/RSS/);
  });

  it("reports run-not-onnx when asked to run a payload that is not ONNX", async () => {
    const file = await readModelFile(testdata("models", "simple_nuclei_segmodel.czann"));
    const report = await validateModel({ ...file, payloadKind: "pickle" }, { run: { ort } });
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => f.code)).toContain("run-not-onnx");
    expect(report.numeric).toBeUndefined();
  });
});
