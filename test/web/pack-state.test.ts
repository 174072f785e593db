/**
 * The Pack flow's state functions (`web/src/pack-state.ts`) without a DOM, on the ONNX model
 * inside the real nuclei .czann: the form's values as conversion options and metadata, the
 * live validation (messages, the field they point at, whether Download is enabled), the
 * values a dropped model, spec or import puts in the form, and the file Download writes.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readModelFileBytes } from "../../src/container/index.js";
import { readModelFile } from "../../src/container/node/index.js";
import { LegacyModelMetadata, ModelMetadata, parseConversionSpec } from "../../src/metadata/index.js";
import { summarizeOnnx } from "../../src/onnx/index.js";
import { validateStructure } from "../../src/validate/structural.js";
import { subjectFor } from "../../src/validate/subject.js";
import { readPayloadFacts } from "../../src/inspect/payload.js";
import {
  checkForm,
  convertOptions,
  czannFields,
  createPackState,
  defaultForm,
  defaultsFor,
  downloadLabel,
  downloadPlan,
  fixedShape,
  IMPORT_TEST_FAILED,
  importFields,
  importLicenseHint,
  isLatest,
  LEGACY_IMPORT_ERROR,
  leaveImport,
  licenseAfterChoice,
  packMetadata,
  pixelTypeForLegacy,
  readImport,
  specFields,
  specNotes,
  startLoad,
  validate,
  type Loaded,
  type PackForm,
  type PackState,
} from "../../web/src/pack-state.js";
import type { ImportSummary } from "../../web/src/protocol.js";
import { testdata } from "../helpers/paths.js";

let loaded: Loaded;

beforeAll(async () => {
  const bytes = (await readModelFile(testdata("models", "simple_nuclei_segmodel.czann"))).modelBytes;
  loaded = { name: "nuclei_unet.onnx", bytes, summary: summarizeOnnx(bytes) };
});

/** State with the nuclei model loaded and the form filled as the page fills it on a drop. */
function withModel(): { state: PackState; form: PackForm } {
  const state = createPackState();
  state.model = loaded;
  return { state, form: { ...defaultForm(), ...defaultsFor(loaded) } };
}

/** An import made of the file Download writes for `form` (as importPackage would give it). */
async function importOf(form: PackForm, test?: { passed: boolean }) {
  const { state } = withModel();
  const plan = downloadPlan(state, form)!;
  const summary = { bytes: plan.bytes, steps: [], warnings: [], ...(test ? { test } : {}) } as unknown as ImportSummary;
  return readImport(summary, "pkg.zip");
}

describe("pack state: the form", () => {
  it("fills name, type and classes from a dropped model's output channels", () => {
    expect(defaultsFor(loaded)).toEqual({
      name: "nuclei_unet",
      type: "SingleClassSemanticSegmentation",
      classNames: ["Background", "Class 1"],
    });
    const regression = { ...loaded, summary: { ...loaded.summary, outputs: [{ ...loaded.summary.outputs[0]!, shape: [null, 8, 8, 1] }] } };
    expect(defaultsFor(regression)).toMatchObject({ type: "Regression", classNames: [] });
    const multi = { ...loaded, summary: { ...loaded.summary, outputs: [{ ...loaded.summary.outputs[0]!, shape: [null, 8, 8, 4] }] } };
    expect(defaultsFor(multi)).toMatchObject({
      type: "MultiClassSemanticSegmentation",
      classNames: ["Background", "Class 1", "Class 2", "Class 3"],
    });
  });

  it("turns the pre-processing fields into conversion options", () => {
    expect(convertOptions(defaultForm())).toEqual({ target: "zen-3.13" });
    const form = {
      ...defaultForm(),
      pre: "scale=0.5",
      post: " ",
      channelsFirst: true,
      inputCast: "uint8",
      spatial: "512, 512",
      force: true,
      target: "zen-3.4",
    };
    expect(convertOptions(form)).toEqual({
      preprocessing: "scale=0.5",
      channelsFirst: true,
      inputCast: "uint8",
      spatialDims: [512, 512],
      target: "zen-3.4",
      force: true,
    });
    expect(() => convertOptions({ ...defaultForm(), spatial: "512, abc" })).toThrow(/"abc" is not a number/);
  });

  it("labels Download by format and picks a pixel type that fits the input when switching to .czmodel", () => {
    expect(downloadLabel({ format: "czann" })).toBe("Download .czann");
    expect(downloadLabel({ format: "czmodel" })).toBe("Download .czmodel");
    expect(pixelTypeForLegacy(loaded, "Bgr24")).toBe("Gray16");
    expect(pixelTypeForLegacy(loaded, "Gray8")).toBeUndefined();
    expect(pixelTypeForLegacy(undefined, "Bgr24")).toBeUndefined();
  });

  it("makes CZANN or legacy metadata from the form", () => {
    const { form } = withModel();
    const czann = packMetadata({ ...form, overlap: "8, 8", name: " Nuclei " }, loaded.summary);
    expect(czann).toBeInstanceOf(ModelMetadata);
    const m = czann as ModelMetadata;
    expect([m.modelName, m.minOverlap, m.classes, m.inputShape, m.outputShape]).toEqual([
      "Nuclei",
      [8, 8],
      ["Background", "Class 1"],
      [1024, 1024, 1],
      [1024, 1024, 2],
    ]);
    const legacy = packMetadata(
      {
        ...form,
        format: "czmodel",
        border: "4",
        classColors: [
          [1, 2, 3],
          [4, 5, 6],
        ],
      },
      loaded.summary,
    );
    expect(legacy).toBeInstanceOf(LegacyModelMetadata);
    const l = legacy as LegacyModelMetadata;
    expect(l.borderSize).toBe(4);
    expect(l.classes.map((c) => [c.name, c.color, c.labelValue])).toEqual([
      ["Background", [1, 2, 3], 1],
      ["Class 1", [4, 5, 6], 2],
    ]);
  });

  it("asks for spatial dims when the graph's are dynamic", () => {
    const dynamic = { ...loaded.summary.inputs[0]!, shape: [null, null, null, 1] };
    expect(() => fixedShape(dynamic, "input")).toThrow(/has dynamic dims/);
    expect(() => fixedShape(undefined, "output")).toThrow(/the model has no output/);
    expect(fixedShape(loaded.summary.inputs[0], "input")).toEqual([1024, 1024, 1]);
  });

  it("fills the form from a legacy conversion spec, colours included", () => {
    const spec = parseConversionSpec(
      JSON.stringify({
        ModelPath: "models/legacy.onnx",
        BorderSize: 6,
        ColorHandling: "ConvertToMonochrome",
        PixelType: "Gray8",
        Classes: ["A", "B"],
      }),
      "spec.json",
    );
    if (spec.flavour !== "legacy") throw new Error("expected a legacy spec");
    const fields = specFields(spec);
    expect(fields).toMatchObject({
      format: "czmodel",
      name: spec.metadata.modelName,
      border: "6",
      pixelType: "Gray8",
      colorHandling: "ConvertToMonochrome",
      classNames: ["A", "B"],
    });
    expect(fields.classColors).toEqual(spec.metadata.classes.map((c) => c.color));
    expect(fields.classColors).toHaveLength(2);
    expect(specNotes(spec, "spec.json")[0]).toMatch(/^Filled from spec\.json \(model: .*legacy\.onnx; drop that ONNX file above\)\.$/);
  });

  it("fills the form from CZANN metadata, without class colours", () => {
    const meta = packMetadata({ ...defaultForm(), ...defaultsFor(loaded), overlap: "8, 8", scaling: "1e-7, 2e-7" }, loaded.summary);
    const fields = czannFields(meta as ModelMetadata);
    expect(fields).toEqual({
      format: "czann",
      type: "SingleClassSemanticSegmentation",
      name: "nuclei_unet",
      overlap: "8, 8",
      scaling: "1e-7, 2e-7",
      classNames: ["Background", "Class 1"],
    });
  });
});

describe("pack state: live validation", () => {
  it("has nothing to say and nothing to download before a model", () => {
    expect(checkForm(createPackState(), defaultForm())).toEqual({ messages: [], ready: false });
    expect(downloadPlan(createPackState(), defaultForm())).toBeUndefined();
  });

  it("accepts the dropped model as filled in", () => {
    const { state, form } = withModel();
    const check = checkForm(state, form);
    expect(check.messages.filter((m) => m.severity === "error")).toEqual([]);
    expect(check).toMatchObject({ ready: true, adapted: false });
  });

  it("gives the library's message for an odd overlap, on its field, and blocks Download unless forced", () => {
    const { state, form } = withModel();
    const bad = { ...form, overlap: "3, 3" };
    const check = checkForm(state, bad);
    expect(check.ready).toBe(false);
    const error = check.messages.find((m) => m.severity === "error")!;
    expect(error.text).toMatch(/MinOverlap/);
    expect(error.field).toBe("pack-overlap");
    // metadata that cannot be made is not written, forced or not
    expect(checkForm(state, { ...bad, force: true }).ready).toBe(false);
  });

  it("reports an unreadable pre-processing field on that field", () => {
    const { state, form } = withModel();
    const check = checkForm(state, { ...form, spatial: "x y" });
    expect(check.ready).toBe(false);
    expect(check.messages).toHaveLength(1);
    expect(check.messages[0]).toMatchObject({ severity: "error", field: "pack-spatial" });
  });

  it("lists the graph edits and gives the adapted graph", () => {
    const { state, form } = withModel();
    const check = checkForm(state, { ...form, inputCast: "uint8" });
    expect(check.adapted).toBe(true);
    expect(check.messages.some((m) => m.severity === "info")).toBe(true);
    expect(check.summary?.inputs[0]?.type).toBe("uint8");
  });

  it("validates through the library's structural check", () => {
    const { form } = withModel();
    const meta = packMetadata(form, loaded.summary);
    const facts = readPayloadFacts(loaded.bytes, "onnx");
    const report = validate(meta, loaded.bytes, facts, "zen-3.4");
    expect(report).toEqual({ ...validateStructure(subjectFor(meta, facts), "zen-3.4"), payload: facts });
    expect(report.ok).toBe(true);
  });
});

describe("pack state: loads and downloads", () => {
  it("tells a superseded drop from the latest", () => {
    const state = createPackState();
    const first = startLoad(state);
    const second = startLoad(state);
    expect(isLatest(state, first)).toBe(false);
    expect(isLatest(state, second)).toBe(true);
  });

  it("writes a .czann the reader reads back, with a safe file name", async () => {
    const { state, form } = withModel();
    const plan = downloadPlan(state, { ...form, name: "a/b:c" })!;
    expect(plan.fileName).toBe("a_b_c.czann");
    expect(plan.status).toMatch(/^Wrote a_b_c\.czann \(\d+ bytes, czann\)\.$/);
    const back = await readModelFileBytes(plan.bytes, plan.fileName);
    expect(back.metadata.modelName).toBe("a/b:c");
    expect(back.modelBytes).toEqual(loaded.bytes);
    expect(downloadPlan(state, { ...form, name: " " })!.fileName).toBe("DNNModel.czann");
    expect(() => downloadPlan(state, { ...form, overlap: "3, 3" })).toThrow(/MinOverlap/);
  });

  it("downloads an unedited import as the very file, and re-packs an edited one", async () => {
    const { form } = withModel();
    const { imported, model } = await importOf({ ...form, overlap: "8, 8" });
    expect(model.name).toBe("pkg.zip (imported graph)");
    const state: PackState = { ...createPackState(), model, imported, license: imported.license };
    const filled = { ...defaultForm(), ...importFields(imported) };
    expect(filled).toMatchObject({ format: "czann", overlap: "8, 8", name: "nuclei_unet", pre: "", force: false });
    const same = downloadPlan(state, filled)!;
    expect(same.bytes).toBe(imported.summary.bytes);
    expect(same.status).toMatch(/the file imported from pkg\.zip, as checked on its test tensors/);
    const edited = downloadPlan(state, { ...filled, name: "renamed" })!;
    expect(edited.bytes).not.toBe(imported.summary.bytes);
    expect(edited.status).toMatch(/re-packed with your edits/);
  });

  it("refuses a legacy .czmodel of an import, and a failed test-tensor check unless forced", async () => {
    const { form } = withModel();
    const { imported, model } = await importOf(form, { passed: false });
    const state: PackState = { ...createPackState(), model, imported };
    const filled = { ...defaultForm(), ...importFields(imported) };
    const legacy = checkForm(state, { ...filled, format: "czmodel" });
    expect(legacy.ready).toBe(false);
    expect(legacy.messages.at(-1)).toEqual({ severity: "error", field: "pack-format", text: LEGACY_IMPORT_ERROR });
    const failed = checkForm(state, filled);
    expect(failed.ready).toBe(false);
    expect(failed.messages.map((m) => m.text)).toContain(IMPORT_TEST_FAILED);
    expect(checkForm(state, { ...filled, force: true }).ready).toBe(true);
  });

  it("forgets an import and its licence; an emptied licence field falls back to the import's", async () => {
    const { form } = withModel();
    const { imported, model } = await importOf(form);
    const pkgLicense = { name: "LICENSE.md", bytes: new Uint8Array([1]) };
    const state: PackState = { ...createPackState(), model, imported: { ...imported, license: pkgLicense }, license: pkgLicense };
    const mine = { name: "MINE.txt", bytes: new Uint8Array([2]) };
    expect(licenseAfterChoice(state, mine)).toBe(mine);
    expect(licenseAfterChoice(state, undefined)).toBe(pkgLicense);
    expect(importLicenseHint(pkgLicense)).toMatch(/The package's LICENSE\.md/);
    expect(importLicenseHint(null)).toBe("");
    expect(leaveImport(state)).toBe(true);
    expect([state.imported, state.license]).toEqual([undefined, null]);
    expect(leaveImport(state)).toBe(false);
    expect(licenseAfterChoice(state, undefined)).toBeNull();
  });
});
