import { describe, expect, it } from "vitest";
import { ModelMetadata, MODEL_TYPES, PyFloat } from "../../src/metadata/index.js";
import { errorOf } from "../helpers/errors.js";

const PYTORCH_JSON =
  '{"Id": "3f13b6da-d9c4-4a01-8b92-a02951bb0397", "Type": "SingleClassSemanticSegmentation", "InputShape": [512, 512, 1], "OutputShape": [512, 512, 2], "MinOverlap": [64, 64], "Classes": ["Background", "Nucleus"], "ModelName": "Simple_Nuclei_SegmentationModel", "Scaling": [1.0, 1.0]}';
const base = () => JSON.parse(PYTORCH_JSON) as Record<string, unknown>;

describe("ModelMetadata reading and writing", () => {
  it("reads model.json text and re-writes it byte-identically (Scaling floats kept)", () => {
    const m = ModelMetadata.fromJsonText(PYTORCH_JSON);
    expect(m.id).toBe("3f13b6da-d9c4-4a01-8b92-a02951bb0397");
    expect(m.type).toBe("SingleClassSemanticSegmentation");
    expect(m.inputShape).toEqual([512, 512, 1]);
    expect(m.outputShape).toEqual([512, 512, 2]);
    expect(m.minOverlap).toEqual([64, 64]);
    expect(m.classes).toEqual(["Background", "Nucleus"]);
    expect(m.scaling).toEqual([1, 1]);
    expect(m.scalingIntForm).toBeUndefined();
    expect(m.isSegmentation).toBe(true);
    expect(m.toJsonText()).toBe(PYTORCH_JSON);
  });

  it("keeps an int Scaling as written ([1, 1] stays [1, 1], as Python would)", () => {
    const m = ModelMetadata.fromJsonText(PYTORCH_JSON.replace("[1.0, 1.0]", "[1, 2.5e-07]"));
    expect(m.scalingIntForm).toEqual([true, false]);
    expect(m.toJsonText()).toContain('"Scaling": [1, 2.5e-07]');
  });

  it("fromParams writes Scaling as floats and generates a UUID", () => {
    const m = ModelMetadata.fromParams({
      type: "Regression",
      inputShape: [64, 64, 1],
      outputShape: [64, 64, 1],
      minOverlap: [8, 8],
      scaling: [6.5e-7, 1],
    });
    expect(m.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(m.toJsonText()).toBe(
      `{"Id": "${m.id}", "Type": "Regression", "InputShape": [64, 64, 1], "OutputShape": [64, 64, 1], "MinOverlap": [8, 8], "Scaling": [6.5e-07, 1.0]}`,
    );
  });

  it("omits absent optional keys and keeps czmodel's key order", () => {
    const m = ModelMetadata.fromParams({
      id: "b6f04bbd-2955-4996-8578-43d02d24f093",
      type: "Regression",
      inputShape: [512, 512, 1],
      outputShape: [512, 512, 1],
      modelName: "Reg",
    });
    expect(Object.keys(m.toJson())).toEqual(["Id", "Type", "InputShape", "OutputShape", "ModelName"]);
  });

  it("keeps unknown keys (ZEN's ModelDescription) in order, written after the known ones", () => {
    const text = `{\r\n  "Id": "3f13b6da-d9c4-4a01-8b92-a02951bb0397",\r\n  "Type": "Regression",\r\n  "InputShape": [1, 1, 1],\r\n  "OutputShape": [1, 1, 1],\r\n  "MinOverlap": [0, 0],\r\n  "ModelDescription": "C:\\\\models\\\\n2v.czann",\r\n  "Zeta": 0.5,\r\n  "ModelName": "N2V"\r\n}`;
    const m = ModelMetadata.fromJsonText(text);
    expect(m.extra).toEqual({ ModelDescription: "C:\\models\\n2v.czann", Zeta: new PyFloat(0.5) });
    expect(m.toJsonText()).toBe(
      '{"Id": "3f13b6da-d9c4-4a01-8b92-a02951bb0397", "Type": "Regression", "InputShape": [1, 1, 1], "OutputShape": [1, 1, 1], "MinOverlap": [0, 0], "ModelName": "N2V", "ModelDescription": "C:\\\\models\\\\n2v.czann", "Zeta": 0.5}',
    );
    expect(m.toJsonText({ includeExtra: false })).not.toContain("ModelDescription");
  });

  it("accepts 3-D shapes [Z, H, W, C] with 3 overlap values", () => {
    const m = ModelMetadata.fromParams({
      type: "Regression",
      inputShape: [16, 64, 64, 1],
      outputShape: [16, 64, 64, 1],
      minOverlap: [2, 8, 8],
    });
    expect(m.minOverlap).toEqual([2, 8, 8]);
  });

  it("accepts every model type", () => {
    for (const type of MODEL_TYPES) {
      const seg = type.endsWith("Segmentation");
      const m = ModelMetadata.fromParams({ type, inputShape: [8, 8, 1], outputShape: [8, 8, 2], ...(seg ? { classes: ["a", "b"] } : {}) });
      expect(m.type).toBe(type);
    }
  });

  it("a missing Id is generated with a warning; null optional keys count as absent", () => {
    const o = base();
    delete o.Id;
    o.Classes = null;
    const warnings: string[] = [];
    const m = ModelMetadata.fromJson(o, "model.json", warnings);
    expect(m.classes).toBeUndefined();
    expect(warnings[0]).toBe(`model.json: Id: missing; generated a new one (${m.id})`);
    expect(warnings[1]).toBe(
      "model.json: Classes: missing for a SingleClassSemanticSegmentation model; ZEN needs one class name per output channel",
    );
  });

  it("with() changes fields and validates again", () => {
    const m = ModelMetadata.fromJsonText(PYTORCH_JSON.replace("[1.0, 1.0]", "[1, 1]"));
    const m2 = m.with({ modelName: "renamed" });
    expect(m2.modelName).toBe("renamed");
    expect(m2.id).toBe(m.id);
    expect(m2.toJsonText()).toContain('"Scaling": [1, 1]');
    expect(() => m.with({ minOverlap: [3, 4] })).toThrow("metadata: MinOverlap[0]: 3 is odd (allowed: an even integer >= 0)");
  });
});

describe("ModelMetadata validation errors (exact text)", () => {
  const cases: [string, (o: Record<string, unknown>) => void, string][] = [
    ["odd MinOverlap", (o) => (o.MinOverlap = [64, 7]), "model.json: MinOverlap[1]: 7 is odd (allowed: an even integer >= 0)"],
    ["negative MinOverlap", (o) => (o.MinOverlap = [-2, 2]), "model.json: MinOverlap[0]: -2 is negative (allowed: an even integer >= 0)"],
    [
      "MinOverlap with the channel dim",
      (o) => (o.MinOverlap = [8, 8, 8]),
      "model.json: MinOverlap: [8, 8, 8] has 3 values but InputShape [512, 512, 1] has 2 spatial dimensions (allowed: one even integer >= 0 per spatial dimension)",
    ],
    [
      "invalid UUID",
      (o) => (o.Id = "not-a-uuid"),
      'model.json: Id: "not-a-uuid" is not a UUID (allowed: a UUID such as 3f13b6da-d9c4-4a01-8b92-a02951bb0397)',
    ],
    [
      "unknown Type",
      (o) => (o.Type = "Segmentation"),
      'model.json: Type: "Segmentation" is not a known model type (allowed: one of SingleClassInstanceSegmentation, MultiClassInstanceSegmentation, SingleClassSemanticSegmentation, MultiClassSemanticSegmentation, SingleClassClassification, MultiClassClassification, ObjectDetection, Regression)',
    ],
    [
      "class-count mismatch",
      (o) => (o.Classes = ["a", "b", "c"]),
      'model.json: Classes: ["a", "b", "c"] has 3 classes but OutputShape [512, 512, 2] has 2 channels (allowed: one class name per output channel)',
    ],
    [
      "one class for segmentation",
      (o) => {
        o.Classes = ["a"];
      },
      'model.json: Classes: ["a"] has 1 class (allowed: at least 2 class names for a segmentation model (background and objects))',
    ],
    [
      "a 1-channel segmentation output (with 1 or 2 classes): the sigmoid advice",
      (o) => {
        o.Classes = ["a"];
        o.OutputShape = [512, 512, 1];
      },
      "model.json: OutputShape: [512, 512, 1] has 1 channel, but a segmentation model needs one probability channel per class (at least 2): " +
        "pack the model with --postprocess sigmoid,sigmoid-to-softmax-scores and Classes with the object first, then Background (e.g. Nucleus,Background), " +
        "since sigmoid-to-softmax-scores gives [p, 1 − p]; leave out sigmoid if the model already ends in one",
    ],
    [
      "classes against the channels of a channels-first OutputShape: the --channels-first hint",
      (o) => {
        o.InputShape = [1, 512, 512];
        o.OutputShape = [2, 512, 512];
      },
      'model.json: Classes: ["Background", "Nucleus"] has 2 classes but OutputShape [2, 512, 512] has 512 channels; ' +
        "the model looks channels-first (NCHW): pack it with --channels-first (allowed: one class name per output channel)",
    ],
    [
      "missing InputShape",
      (o) => delete o.InputShape,
      "model.json: InputShape: missing (allowed: 3 or 4 integers >= 1 ([H, W, C] or [Z, H, W, C]))",
    ],
    [
      "rank 2 shape",
      (o) => (o.OutputShape = [512, 512]),
      "model.json: OutputShape: [512, 512] has fewer than 3 items (allowed: 3 or 4 integers >= 1 ([H, W, C] or [Z, H, W, C]))",
    ],
    [
      "rank 5 shape",
      (o) => (o.InputShape = [1, 1, 1, 1, 1]),
      "model.json: InputShape: [1, 1, 1, 1, 1] has more than 4 items (allowed: 3 or 4 integers >= 1 ([H, W, C] or [Z, H, W, C]))",
    ],
    ["zero dim", (o) => (o.InputShape = [0, 512, 1]), "model.json: InputShape[0]: 0 is less than 1 (allowed: an integer >= 1)"],
    [
      "float dim",
      (o) => (o.InputShape = [512, new PyFloat(512), 1]),
      "model.json: InputShape[1]: 512.0 is not an integer (allowed: an integer >= 1)",
    ],
    [
      "string shape",
      (o) => (o.InputShape = "512x512"),
      'model.json: InputShape: "512x512" is not a list (allowed: 3 or 4 integers >= 1 ([H, W, C] or [Z, H, W, C]))',
    ],
    [
      "Scaling length",
      (o) => (o.Scaling = [1e-6]),
      "model.json: Scaling: [1e-06] does not have exactly 2 items (allowed: 2 finite numbers > 0 (pixel size [x, y] in metres))",
    ],
    ["Scaling negative", (o) => (o.Scaling = [1, -1]), "model.json: Scaling[1]: -1 is not positive (allowed: a finite number > 0)"],
    [
      "Scaling NaN",
      (o) => (o.Scaling = [Number.NaN, 1]),
      "model.json: Scaling[0]: NaN is not a finite number (allowed: a finite number > 0)",
    ],
    ["ModelName number", (o) => (o.ModelName = 5), "model.json: ModelName: 5 is not a string (allowed: a string)"],
    ["class name number", (o) => (o.Classes = ["a", 2]), "model.json: Classes[1]: 2 is not a string (allowed: a string)"],
  ];
  it.each(cases)("%s", (_name, mutate, message) => {
    const o = base();
    mutate(o);
    const e = errorOf(() => ModelMetadata.fromJson(o));
    expect(e.message).toBe(message);
    expect(e.code).toBe("INVALID_METADATA");
  });

  it("a non-object is refused", () => {
    expect(errorOf(() => ModelMetadata.fromJson([1, 2], "x.czann: model.json")).message).toBe(
      "x.czann: model.json: [1, 2] is not a JSON object (allowed: a JSON object with Id, Type, InputShape, OutputShape, …)",
    );
  });

  it("classification / detection: Classes need only 1 entry; Regression is not checked", () => {
    expect(
      ModelMetadata.fromParams({ type: "MultiClassClassification", inputShape: [8, 8, 1], outputShape: [1, 1, 5], classes: ["x"] }).classes,
    ).toEqual(["x"]);
    expect(ModelMetadata.fromParams({ type: "Regression", inputShape: [8, 8, 1], outputShape: [8, 8, 1], classes: [] }).classes).toEqual(
      [],
    );
    expect(
      errorOf(() => ModelMetadata.fromParams({ type: "ObjectDetection", inputShape: [8, 8, 1], outputShape: [8, 8, 1], classes: [] }))
        .message,
    ).toBe("metadata: Classes: [] is empty (allowed: at least 1 class name)");
  });
});
