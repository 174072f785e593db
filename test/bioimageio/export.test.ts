/**
 * `czmodel export-bioimageio` on the real ZEN model files with real test images, through the
 * real CLI: the package is unpacked with fflate and its rdf.yaml validated against the
 * bioimage.io 0.5.7 model definition twice (ajv here, python3-jsonschema in
 * check_package.py), every SHA-256 recomputed, the test input compared with the image region
 * (read with PIL), the test output with onnxruntime-node run directly on the ZEN model's ONNX
 * (inputs x / range in BGR, as ZEN feeds them) and on the package's weights.onnx with the
 * rdf's pre-processing, and the package read back with our rdf reader.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { decode } from "fast-png";
import { beforeAll, describe, expect, it } from "vitest";
import { parseRdf } from "../../src/bioimageio/rdf.js";
import { readNpy } from "../../src/bioimageio/npy.js";
import { testdata } from "../helpers/paths.js";
import { czmodel, parseJson, scratchDir } from "../cli/helpers.js";
import { ajvErrors, maxAbsDiff, ortRun, pythonCheck, readRdf, sha256, unzipTo, type PythonReport } from "./helpers.js";

interface Case {
  model: string;
  image: string;
  kind: "segmentation" | "regression";
  tile: number;
  halo: number;
  pixelType: "uint8" | "uint16";
  /** ZEN's input scaling (null: raw values, legacy). */
  range: number | null;
  channels: string[];
  payloadEntry: string;
}

const LEGACY_GUID = "27eaeeab-7e9a-4f9c-88bb-6e5b477d2241";
const CASES: Case[] = [
  {
    model: "simple_nuclei_segmodel.czann",
    image: "nuclei_0000.png",
    kind: "segmentation",
    tile: 1024,
    halo: 4,
    pixelType: "uint16",
    range: 65535,
    channels: ["Background", "Nucleus"],
    payloadEntry: "model.model",
  },
  {
    model: "simple_pytorch_nuclei_segmodel_pytorch.czann",
    image: "nuclei_0000.png",
    kind: "segmentation",
    tile: 512,
    halo: 32,
    pixelType: "uint16",
    range: 65535,
    channels: ["Background", "Nucleus"],
    payloadEntry: "model.model",
  },
  {
    model: "simple_kidney_regmodel.czann",
    image: "kidney_dapi_lowsnr.png",
    kind: "regression",
    tile: 1024,
    halo: 4,
    pixelType: "uint8",
    range: 255,
    channels: ["ch0"],
    payloadEntry: "model.model",
  },
  {
    model: "simple_nuclei_segmodel_legacy.czseg",
    image: "nuclei_0000.png",
    kind: "segmentation",
    tile: 1024,
    halo: 8,
    pixelType: "uint16",
    range: null,
    channels: ["Background", "Nucleus"],
    payloadEntry: `${LEGACY_GUID}.model`,
  },
];

const FILES = ["rdf.yaml", "README.md", "weights.onnx", "test_input.npy", "test_output.npy", "cover.png"];

describe.each(CASES)("export-bioimageio $model", (c) => {
  let dir: string;
  let zipPath: string;
  let json: Record<string, unknown>;
  let entries: string[];
  let rdf: Record<string, unknown>;
  let py: PythonReport;

  beforeAll(async () => {
    const work = await scratchDir("bioimageio-export-");
    zipPath = join(work, "package.zip");
    const r = await czmodel(
      "export-bioimageio",
      testdata("models", c.model),
      zipPath,
      "--test-image",
      testdata("images", c.image),
      "--author",
      "Jane Doe",
      "--author",
      "John Roe",
      "--license",
      "CC-BY-4.0",
      "--cite",
      "Ronneberger et al. U-Net (2015)=10.1007/978-3-319-24574-4_28",
      "--cite",
      "czmodel=https://pypi.org/project/czmodel/",
      "--json",
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    json = parseJson(r);
    dir = join(work, "unpacked");
    entries = await unzipTo(zipPath, dir);
    rdf = await readRdf(dir);
    py = await pythonCheck(dir, testdata("images", c.image));
  }, 120_000);

  it("reports what it wrote", () => {
    expect(json).toMatchObject({
      ok: true,
      path: zipPath,
      formatVersion: "0.5.7",
      kind: c.kind,
      pixelType: c.pixelType,
      tile: [c.tile, c.tile],
      halo: [c.halo, c.halo],
      rgbToBgr: false,
    });
    expect(json.outputChannels).toEqual(c.channels);
    expect(entries).toEqual(FILES);
  });

  it("is a valid bioimage.io 0.5.7 model description (ajv and python3-jsonschema)", async () => {
    expect(await ajvErrors(rdf)).toEqual([]);
    expect(py.errors).toEqual([]);
    expect(py.timestamp_type).toBe("str");
    expect(rdf.format_version).toBe("0.5.7");
    expect(rdf.authors).toEqual([{ name: "Jane Doe" }, { name: "John Roe" }]);
    expect(rdf.license).toBe("CC-BY-4.0");
    expect(rdf.cite).toEqual([
      { text: "Ronneberger et al. U-Net (2015)", doi: "10.1007/978-3-319-24574-4_28" },
      { text: "czmodel", url: "https://pypi.org/project/czmodel/" },
    ]);
  });

  it("declares the SHA-256 of every file it references", async () => {
    expect(Object.keys(py.hashes).sort()).toEqual(["test_input.npy", "test_output.npy", "weights.onnx"]);
    for (const [name, h] of Object.entries(py.hashes)) {
      expect(h.declared, name).toBe(h.actual);
      expect(sha256(await readFile(join(dir, name))), name).toBe(h.actual);
    }
  });

  it("takes the test input from the centre of the test image, in the package's pixel type", async () => {
    expect(py.image_matches).toBe(true);
    const input = readNpy(await readFile(join(dir, "test_input.npy")), "test_input.npy");
    expect(input.dtype).toBe(c.pixelType);
    expect(input.shape).toEqual([1, c.tile, c.tile, 1]);
    expect(py.tensors["test_input.npy"]).toMatchObject({ dtype: c.pixelType, shape: [1, c.tile, c.tile, 1] });
    expect(Array.from(input.data).reduce((a, b) => a + b, 0)).toBe(py.tensors["test_input.npy"]!.sum);
  });

  it("holds the model's output on the test input as ZEN computes it (onnxruntime on the ZEN model's ONNX, x / range)", async () => {
    const input = readNpy(await readFile(join(dir, "test_input.npy")), "test_input.npy");
    const output = readNpy(await readFile(join(dir, "test_output.npy")), "test_output.npy");
    const k = c.channels.length;
    expect(output.dtype).toBe("float32");
    expect(output.shape).toEqual([1, c.tile, c.tile, k]);
    expect(py.tensors["test_output.npy"]).toMatchObject({ dtype: "float32", shape: [1, c.tile, c.tile, k] });
    const zenModel = unzipSync(new Uint8Array(await readFile(testdata("models", c.model))))[c.payloadEntry]!;
    const fed = Float32Array.from(input.data, (v) => (c.range === null ? v : v / c.range));
    const expected = await ortRun(zenModel, fed, [1, c.tile, c.tile, 1]);
    expect(maxAbsDiff(expected, output.data)).toBeLessThanOrEqual(1e-6);
    if (c.kind === "segmentation") {
      expect(py.tensors["test_output.npy"]!.min).toBeGreaterThanOrEqual(0);
      expect(py.tensors["test_output.npy"]!.max).toBeLessThanOrEqual(1);
    }
  });

  it("reproduces the test output from weights.onnx with the rdf's pre-processing (what bioimageio test does)", async () => {
    const input = readNpy(await readFile(join(dir, "test_input.npy")), "test_input.npy");
    const output = readNpy(await readFile(join(dir, "test_output.npy")), "test_output.npy");
    const description = parseRdf(await readFile(join(dir, "rdf.yaml"), "utf8"), "rdf.yaml");
    const steps = description.inputs[0]!.processing;
    let fed = Float32Array.from(input.data);
    for (const s of steps) {
      if (s.id === "ensure_dtype") expect(s.dtype).toBe("float32");
      else if (s.id === "scale_linear") fed = fed.map((v) => v * (s.gain as number) + (s.offset as number));
      else throw new Error(`unexpected step ${s.id}`);
    }
    const got = await ortRun(new Uint8Array(await readFile(join(dir, "weights.onnx"))), fed, [1, c.tile, c.tile, 1]);
    // bioimage.io's default tolerance is 1e-3 absolute + 1e-3 relative
    expect(maxAbsDiff(got, output.data)).toBeLessThanOrEqual(1e-5);
  });

  it("reads back with our rdf reader", async () => {
    const d = parseRdf(await readFile(join(dir, "rdf.yaml"), "utf8"), "rdf.yaml");
    expect(d.formatVersion).toBe("0.5.7");
    const [input] = d.inputs;
    const [output] = d.outputs;
    expect(input!.axes.map((a) => a.id)).toEqual(["batch", "y", "x", "channel"]);
    expect(input!.axes.slice(1, 3).map((a) => a.size)).toEqual([
      { kind: "fixed", value: c.tile },
      { kind: "fixed", value: c.tile },
    ]);
    expect(input!.axes[3]!.channelNames).toEqual(["gray"]);
    expect(input!.dataType).toBe(c.pixelType);
    const scale = input!.processing.find((s) => s.id === "scale_linear");
    if (c.range === null) expect(scale).toBeUndefined();
    else expect(scale).toEqual({ id: "scale_linear", gain: 1 / c.range, offset: 0 });
    expect(output!.axes.map((a) => a.id)).toEqual(["batch", "y", "x", "channel"]);
    expect(output!.axes[1]).toMatchObject({ halo: c.halo, size: { kind: "reference", tensorId: "input", axisId: "y", offset: 0 } });
    expect(output!.axes[2]).toMatchObject({ halo: c.halo, size: { kind: "reference", tensorId: "input", axisId: "x", offset: 0 } });
    expect(output!.axes[3]!.channelNames).toEqual(c.channels);
    if (c.kind === "segmentation") expect(output!.dataRange).toEqual([0, 1]);
    expect(d.weights.onnx).toMatchObject({ source: "weights.onnx", sha256: py.hashes["weights.onnx"]!.actual, opsetVersion: 12 });
    expect(input!.testTensor).toEqual({ source: "test_input.npy", sha256: py.hashes["test_input.npy"]!.actual });
    expect(output!.testTensor).toEqual({ source: "test_output.npy", sha256: py.hashes["test_output.npy"]!.actual });
    expect(d.covers).toEqual(["cover.png"]);
    expect(d.documentation).toBe("README.md");
  });

  it("keeps the ZEN metadata under config.czmodel and documents origin, inputs and classes", async () => {
    const zen = (rdf.config as Record<string, Record<string, unknown>>).czmodel!;
    const readme = await readFile(join(dir, "README.md"), "utf8");
    expect(zen).toMatchObject({
      pixel_type: c.pixelType,
      rgb_to_bgr_in_weights: false,
      zen_channel_order: "gray",
      input_scaling: c.range === null ? "none" : "divide_by_pixel_type_range",
    });
    expect(readme).toContain(String(zen.model_id));
    expect(readme).toContain(String(zen.model_name));
    expect(readme).toContain(c.model);
    expect(readme).toMatch(/^## Validation$/m);
    expect(readme).toContain(c.range === null ? "raw pixel values" : `divides the pixel values by ${c.range}`);
    if (c.kind === "segmentation") {
      expect(zen.classes).toEqual([
        { name: "Background", channel: "Background", label_value: 1, color: [255, 0, 0] },
        { name: "Nucleus", channel: "Nucleus", label_value: 2, color: [0, 255, 0] },
      ]);
      expect(readme).toContain("| `Nucleus` | Nucleus | 2 | 0, 255, 0 |");
    }
  });

  it("has a cover of at most 512 pixels per panel and under 500 KB (1:1, or 2:1 for input | output)", async () => {
    const bytes = await readFile(join(dir, "cover.png"));
    const png = decode(bytes);
    const panels = c.kind === "regression" ? 2 : 1;
    expect(png.height).toBeLessThanOrEqual(512);
    expect(png.height).toBeGreaterThanOrEqual(c.tile / 4);
    expect(png.width).toBe(panels * png.height);
    expect(png.channels).toBe(3);
    expect(bytes.length).toBeLessThan(500_000);
  });
});

describe("export-bioimageio validation is not vacuous", () => {
  it("ajv rejects a description without opset_version or with a bad axis", async () => {
    const work = await scratchDir("bioimageio-export-");
    const zip = join(work, "p.zip");
    const r = await czmodel("export-bioimageio", testdata("models", "simple_pytorch_nuclei_segmodel_pytorch.czann"), zip);
    expect(r.status, r.stderr).toBe(0);
    const dir = join(work, "p");
    await unzipTo(zip, dir);
    const rdf = await readRdf(dir);
    expect(await ajvErrors(rdf)).toEqual([]);
    const noOpset = structuredClone(rdf) as { weights: { onnx: Record<string, unknown> } };
    delete noOpset.weights.onnx.opset_version;
    expect(await ajvErrors(noOpset)).not.toEqual([]);
    const badAxis = structuredClone(rdf) as { outputs: { axes: Record<string, unknown>[] }[] };
    badAxis.outputs[0]!.axes[1]!.halo = "four";
    expect(await ajvErrors(badAxis)).not.toEqual([]);
  }, 60_000);
});
