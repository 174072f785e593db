import { describe, expect, it } from "vitest";
import { LegacyModelMetadata, ModelMetadata, parseConversionSpec } from "../../src/metadata/index.js";
import { errorOf } from "../helpers/errors.js";

// The OAD notebook spec (model_conversion_spec_pytorch.json), 4-space indented.
const CZANN_SPEC = `{
    "ModelMetadata": {
        "Type": "SingleClassSemanticSegmentation",
        "Classes": ["Background", "Nucleus"],
        "ModelName": "Simple_Nuclei_SegmentationModel",
        "InputShape": [512, 512, 1],
        "OutputShape": [512, 512, 2],
        "MinOverlap": [64, 64],
        "Scaling": [1.0, 1.0]
    },
    "ModelPath": "simple_nuclei_segmodel.onnx",
    "LicenseFile": null
}`;

const LEGACY_SPEC = `{
    "BorderSize": 8,
    "ColorHandling": "ConvertToMonochrome",
    "PixelType": "Gray16",
    "Classes": ["Background", "Nucleus"],
    "ModelPath": "models\\\\unet_savedmodel\\\\",
    "LicenseFile": "..\\\\LICENSE.txt",
    "TestImageFile": "test.png"
}`;

describe("parseConversionSpec", () => {
  it("reads the CZANN flavour; paths relative to the spec file", () => {
    const s = parseConversionSpec(CZANN_SPEC, "/data/specs/spec.json");
    expect(s.flavour).toBe("czann");
    expect(s.metadata).toBeInstanceOf(ModelMetadata);
    const m = s.metadata as ModelMetadata;
    expect(m.type).toBe("SingleClassSemanticSegmentation");
    expect(m.minOverlap).toEqual([64, 64]);
    expect(m.toJsonText()).toContain('"Scaling": [1.0, 1.0]');
    expect(s.modelPath).toBe("/data/specs/simple_nuclei_segmodel.onnx");
    expect(s.licenseFile).toBeUndefined();
    expect(s.warnings).toEqual([]);
  });

  it("keeps an int Scaling from the spec ([1, 1] is written [1, 1], as czmodel would)", () => {
    const s = parseConversionSpec(CZANN_SPEC.replace("[1.0, 1.0]", "[1, 1]"), "spec.json");
    expect((s.metadata as ModelMetadata).toJsonText()).toContain('"Scaling": [1, 1]');
  });

  it("reads the legacy flavour: name = last part of ModelPath, Windows paths, TestImageFile warning", () => {
    const s = parseConversionSpec(LEGACY_SPEC, "/data/specs/legacy.json");
    expect(s.flavour).toBe("legacy");
    const m = s.metadata as LegacyModelMetadata;
    expect(m).toBeInstanceOf(LegacyModelMetadata);
    expect(m.modelName).toBe("unet_savedmodel");
    expect(m.pixelTypes).toEqual(["Gray16"]);
    expect(m.borderSize).toBe(8);
    expect(m.classes.map((c) => c.color)).toEqual([
      [255, 0, 0],
      [0, 255, 0],
    ]);
    expect(s.modelPath).toBe("/data/specs/models/unet_savedmodel");
    expect(s.licenseFile).toBe("/data/LICENSE.txt");
    expect(s.testImageFile).toBe("/data/specs/test.png");
    expect(s.rawPaths.modelPath).toBe("models\\unet_savedmodel\\");
    expect(s.warnings).toEqual(["/data/specs/legacy.json: TestImageFile: ignored; no model file format stores a test image"]);
  });

  it("keeps absolute paths (POSIX and Windows drive letters) and accepts a PixelType list", () => {
    const spec = JSON.stringify({
      BorderSize: 0,
      ColorHandling: "SplitRgb",
      PixelType: ["Bgr24", "Gray8"],
      Classes: ["a", "b"],
      ModelPath: "C:\\models\\net.onnx",
      LicenseFile: "/etc/lic.txt",
      Name: "x",
    });
    const s = parseConversionSpec(spec, "C:\\specs\\s.json");
    expect(s.modelPath).toBe("C:/models/net.onnx");
    expect(s.licenseFile).toBe("/etc/lic.txt");
    expect((s.metadata as LegacyModelMetadata).pixelTypes).toEqual(["Bgr24", "Gray8"]);
    expect((s.metadata as LegacyModelMetadata).modelName).toBe("net.onnx");
    expect(s.warnings).toEqual(["C:\\specs\\s.json: Name: ignored; the legacy model name is the last part of ModelPath"]);
  });

  it("resolves relative to the spec's folder on Windows-style spec paths too", () => {
    const s = parseConversionSpec(CZANN_SPEC, "C:\\specs\\sub\\s.json");
    expect(s.modelPath).toBe("C:/specs/sub/simple_nuclei_segmodel.onnx");
    const rel = parseConversionSpec(CZANN_SPEC, "s.json");
    expect(rel.modelPath).toBe("simple_nuclei_segmodel.onnx");
  });

  it("warns about unknown keys and accepts the old ModelFile key", () => {
    const spec = JSON.stringify({
      BorderSize: 4,
      ColorHandling: "SplitRgb",
      PixelType: "Gray8",
      Classes: ["a", "b"],
      ModelFile: "m.pb",
      Extra: 1,
    });
    const s = parseConversionSpec(spec, "/s/x.json");
    expect(s.modelPath).toBe("/s/m.pb");
    expect(s.warnings).toEqual(["/s/x.json: Extra: unknown key, ignored", "/s/x.json: ModelFile: old key name; read as ModelPath"]);
  });

  it("errors name the spec file and field", () => {
    expect(errorOf(() => parseConversionSpec(CZANN_SPEC.replace("[64, 64]", "[64, 63]"), "spec.json")).message).toBe(
      "spec.json: ModelMetadata: MinOverlap[1]: 63 is odd (allowed: an even integer >= 0)",
    );
    expect(
      errorOf(() => parseConversionSpec(CZANN_SPEC.replace('"ModelPath": "simple_nuclei_segmodel.onnx",', ""), "spec.json")).message,
    ).toBe("spec.json: ModelPath: missing (allowed: a path to the model (relative to the spec file or absolute))");
    expect(errorOf(() => parseConversionSpec(LEGACY_SPEC.replace('"Gray16"', '"Gray12"'), "l.json")).message).toBe(
      'l.json: PixelType: "Gray12" is not a pixel type or a list of pixel types (allowed: one of Gray8, Gray16, Gray32Float, Bgr24, Bgr48, Bgr96Float, Bgra32, Gray64ComplexFloat, Bgr192ComplexFloat, or a list of them)',
    );
    expect(errorOf(() => parseConversionSpec(LEGACY_SPEC.replace('"BorderSize": 8', '"BorderSize": 8.0'), "l.json")).message).toBe(
      "l.json: BorderSize: 8.0 is not an integer (allowed: an integer >= 0 (context pixels per tile side))",
    );
    expect(errorOf(() => parseConversionSpec('{"Foo": 1}', "f.json")).message).toBe(
      "f.json: is neither a CZANN spec (no ModelMetadata) nor a legacy spec (no BorderSize, ColorHandling, PixelType, Classes) (allowed: a CZANN spec {ModelMetadata, ModelPath, LicenseFile} or a legacy spec {BorderSize, ColorHandling, PixelType, Classes, ModelPath})",
    );
    expect(errorOf(() => parseConversionSpec("{", "f.json")).message).toBe(
      "f.json: malformed JSON: expected a string key at line 1, column 2",
    );
  });
});
