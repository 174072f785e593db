/**
 * The rdf reader on the real packages: format 0.5.4 and 0.4.9 descriptions of the same nuclei
 * model read to the same tensors, sizes, halos and processing steps; 0.4's letter axes,
 * `kwargs.mode` and reference shapes are translated; and the .npy reader gives what numpy
 * wrote (values checked against numpy's own summary of the file).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readNpy, writeNpy } from "../../src/bioimageio/npy.js";
import { parseRdf } from "../../src/bioimageio/rdf.js";
import { planZenImport } from "../../src/bioimageio/to-zen.js";
import { tempDir, testdata } from "../helpers/paths.js";

const NUCLEI = testdata("bioimageio", "unet2d_nuclei_broad");
const read = (name: string) => parseRdf(readFileSync(join(NUCLEI, name), "utf8"), name);

describe("rdf reader", () => {
  it("reads 0.5.4 and 0.4.9 of the same model to the same tensors and steps", () => {
    const v5 = read("rdf.yaml");
    const v4 = read("v0_4_9.bioimageio.yaml");
    expect(v5.formatVersion).toBe("0.5.4");
    expect(v4.formatVersion).toBe("0.4.9");
    for (const d of [v5, v4]) {
      expect(d.name).toBe("UNet 2D Nuclei Broad");
      expect(d.license).toBe("MIT");
      expect(d.inputs[0]!.axes.map((a) => [a.id, a.type, a.size.kind === "fixed" ? a.size.value : a.size.kind])).toEqual([
        ["batch", "batch", 1],
        ["channel", "channel", 1],
        ["y", "space", 512],
        ["x", "space", 512],
      ]);
      expect(d.outputs[0]!.axes.map((a) => a.halo)).toEqual([0, 0, 32, 32]);
      expect(d.outputs[0]!.axes[2]!.size).toEqual({ kind: "reference", tensorId: "raw", axisId: "y", offset: 0, scale: 1 });
      expect(d.inputs[0]!.processing.filter((s) => s.id !== "ensure_dtype")).toEqual([
        { id: "zero_mean_unit_variance", axes: expect.arrayContaining(["x", "y"]), eps: 1e-6, mode: "per_sample" },
      ]);
      expect(d.outputs[0]!.processing.filter((s) => s.id !== "ensure_dtype")).toEqual([{ id: "sigmoid" }]);
      expect(d.weights.onnx).toEqual({
        source: "weights.onnx",
        sha256: "85f5ac80fa977fea3562ef97c8c5950288be2c4f4cdb5d994807df97008ce088",
        opsetVersion: 20,
      });
      expect(d.inputs[0]!.testTensor?.source).toBe("test_input.npy");
      expect(d.outputs[0]!.testTensor?.source).toBe("test_output.npy");
    }
    // both plan to the same ZEN model
    const plans = [v5, v4].map((d) => planZenImport(d, [1, 1, 512, 512], undefined, undefined, { pixelType: "uint16" }, "x"));
    expect(plans[0]!.preprocessing).toEqual(plans[1]!.preprocessing);
    expect(plans[0]!.postprocessing).toEqual(plans[1]!.postprocessing);
    expect(plans[0]!.border).toEqual([32, 32]);
  });

  it("translates 0.4 parameterized shapes and the multi-tensor package's steps", () => {
    const d = parseRdf(readFileSync(testdata("bioimageio", "unet2d_multi_tensor", "rdf.yaml"), "utf8"), "multi");
    expect(d.inputs.map((t) => t.id)).toEqual(["input0", "input1"]);
    expect(d.inputs[0]!.axes[2]!.size).toEqual({ kind: "parameterized", min: 32, step: 16 });
    expect(d.inputs[0]!.processing).toEqual([
      { id: "zero_mean_unit_variance", axes: ["channel", "y", "x"], eps: 1e-6, mode: "per_sample" },
    ]);
  });

  it("refuses unknown formats and non-model descriptions in one line", () => {
    expect(() => parseRdf("format_version: 0.3.0\nname: x\n", "r.yaml")).toThrow(/r\.yaml: format_version "0\.3\.0" is not supported/);
    const text = readFileSync(join(NUCLEI, "rdf.yaml"), "utf8").replace("type: model", "type: dataset");
    expect(() => parseRdf(text, "r.yaml")).toThrow(/r\.yaml: type: "dataset" is not a model description/);
  });
});

describe(".npy", () => {
  it("reads what numpy wrote and writes what numpy reads back", async () => {
    const a = readNpy(new Uint8Array(readFileSync(join(NUCLEI, "test_input.npy"))), "test_input.npy");
    expect(a.dtype).toBe("float32");
    expect(a.shape).toEqual([1, 1, 512, 512]);
    const py = (code: string) => execFileSync("/usr/bin/python3", ["-c", code], { encoding: "utf8" }).trim();
    const [sum, first, last] = JSON.parse(
      py(
        `import numpy as np, json; a=np.load(${JSON.stringify(join(NUCLEI, "test_input.npy"))}).ravel(); print(json.dumps([float(a.astype(np.float64).sum()), float(a[0]), float(a[-1])]))`,
      ),
    ) as number[];
    expect(Array.from(a.data).reduce((s, v) => s + v, 0)).toBe(sum);
    expect([a.data[0], a.data[a.data.length - 1]]).toEqual([first, last]);
    const dir = await tempDir();
    const path = join(dir, "u16.npy");
    const data = Uint16Array.from({ length: 24 }, (_, i) => i * 1000);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(path, writeNpy({ dtype: "uint16", shape: [2, 3, 4], data }));
    expect(py(`import numpy as np; a=np.load(${JSON.stringify(path)}); print(a.dtype, a.shape, int(a[1,2,3]))`)).toBe(
      "uint16 (2, 3, 4) 23000",
    );
  });

  it("refuses broken files in one line", () => {
    expect(() => readNpy(new Uint8Array([1, 2, 3]), "x.npy")).toThrow(/x\.npy: not a NumPy \.npy file/);
    const ok = writeNpy({ dtype: "float32", shape: [4], data: new Float32Array(4) });
    expect(() => readNpy(ok.subarray(0, ok.length - 2), "t.npy")).toThrow(
      /t\.npy: the \.npy file holds 14 data bytes; shape \(4,\) needs 16/,
    );
  });
});
