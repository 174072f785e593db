/**
 * Issue 3 acceptance, bad adaptation requests: a model that is not spatially invariant, a
 * channel order with gaps, rgb-to-bgr on a 1-channel model, unknown op names, graph edits on a
 * SavedModel, --channels-first on a real model that already is NHWC (pack and convert) — each
 * one `czmodel: error: …` line, exit 2, and no file (the output folder is not even created); softmax on an output that already is a softmax is only a warning and
 * the file is written.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fixture, testdata } from "../helpers/paths.js";
import { czmodel, expectOneLineError, listTree, parseJson, zipEntry, scratchDir } from "./helpers.js";

const UNET = fixture("onnx", "unet_nchw.onnx");
const SEG2 = ["--type", "SingleClassSemanticSegmentation", "--classes", "Background,Cell", "--min-overlap", "8,8"];
let work: string;
let nuclei: string; // a 1-channel NHWC model whose output is already a Softmax
let nucleiSpec: string; // a conversion spec (the .czann's own model.json) naming nuclei.onnx

beforeAll(async () => {
  work = await scratchDir("cli-adapt-bad-");
  nuclei = join(work, "nuclei.onnx");
  const czann = testdata("models", "simple_nuclei_segmodel.czann");
  await writeFile(nuclei, await zipEntry(czann, "model.model"));
  nucleiSpec = join(work, "nuclei_spec.json");
  const metadata = JSON.parse(Buffer.from(await zipEntry(czann, "model.json")).toString("utf8")) as unknown;
  await writeFile(nucleiSpec, JSON.stringify({ ModelMetadata: metadata, ModelPath: "nuclei.onnx", LicenseFile: null }));
});

/** The refusal of --channels-first on the real NHWC nuclei model (input [unk__15, 1024, 1024, 1]). */
const ALREADY_NHWC = [
  /^czmodel: error: --channels-first: the model input \[unk__15, 1024, 1024, 1\] already looks channels-last \(NHWC: 1 channel on the last axis/,
  /drop --channels-first \(or add --force if the model really is NCHW\)$/,
];

async function expectRefused(model: string, args: string[], patterns: (RegExp | string)[]): Promise<void> {
  const dir = await scratchDir("cli-adapt-bad-case-");
  const r = await czmodel("pack", model, ...args, "--out", join(dir, "out", "model.czann"));
  expectOneLineError(r, patterns);
  expect(r.stdout).toBe("");
  expect(await listTree(dir)).toEqual([]);
}

describe("refused adaptations", () => {
  it("--spatial-dims on a model that is not spatially invariant (Flatten + Gemm)", async () => {
    await expectRefused(
      fixture("onnx", "not_invariant.onnx"),
      ["--spatial-dims", "8,8", "--type", "SingleClassSemanticSegmentation", "--classes", "a,b", "--min-overlap", "2,2"],
      ["--spatial-dims", "not spatially invariant", 'Flatten node "/Flatten"'],
    );
  });

  it("--spatial-dims the U-Net cannot run at (odd size through pooling)", async () => {
    await expectRefused(
      UNET,
      ["--channels-first", "--spatial-dims", "511,512", ...SEG2],
      ["--spatial-dims", "not spatially invariant", "511×512"],
    );
  });

  it("a transpose-channels order with gaps", async () => {
    await expectRefused(
      UNET,
      ["--channels-first", "--spatial-dims", "64,64", "--preprocess", "transpose-channels=2/0", ...SEG2],
      ["--preprocess transpose-channels=2/0", "not a permutation without gaps", "missing 1"],
    );
  });

  it("rgb-to-bgr on a 1-channel model", async () => {
    await expectRefused(
      nuclei,
      [
        "--preprocess",
        "rgb-to-bgr",
        "--type",
        "SingleClassSemanticSegmentation",
        "--classes",
        "Background,Nucleus",
        "--min-overlap",
        "8,8",
      ],
      ["--preprocess rgb-to-bgr", "needs 3 channels", "has 1"],
    );
  });

  it("an unknown pre-processing op", async () => {
    await expectRefused(
      UNET,
      ["--channels-first", "--spatial-dims", "64,64", "--preprocess", "rgb-to-bgr,frobnicate", ...SEG2],
      ["--preprocess", 'unknown operation "frobnicate"', "per-image-standardization"],
    );
  });

  it("an unknown post-processing op", async () => {
    await expectRefused(
      UNET,
      ["--channels-first", "--spatial-dims", "64,64", "--postprocess", "sigmoidish", ...SEG2],
      ["--postprocess", '"sigmoidish"', "softmax"],
    );
  });

  it("--channels-first on a real model that already is NHWC", async () => {
    await expectRefused(
      nuclei,
      ["--channels-first", "--type", "SingleClassSemanticSegmentation", "--classes", "Background,Nucleus", "--min-overlap", "8,8"],
      ALREADY_NHWC,
    );
    // also together with other edits, and through `convert` (the spec names the same model)
    await expectRefused(
      nuclei,
      [
        "--channels-first",
        "--postprocess",
        "clip=0/1",
        "--type",
        "SingleClassSemanticSegmentation",
        "--classes",
        "Background,Nucleus",
        "--min-overlap",
        "8,8",
      ],
      ALREADY_NHWC,
    );
    const dir = await scratchDir("cli-adapt-bad-case-");
    const r = await czmodel("convert", nucleiSpec, join(dir, "out"), "nuclei", "--channels-first");
    expectOneLineError(r, ALREADY_NHWC);
    expect(await listTree(dir)).toEqual([]);
  });

  it("--channels-first --force skips the layout guess: the transposes are applied (and the scrambled shapes then fail the metadata check)", async () => {
    const dir = await scratchDir("cli-adapt-bad-case-");
    const r = await czmodel(
      "pack",
      nuclei,
      "--channels-first",
      "--force",
      "--type",
      "SingleClassSemanticSegmentation",
      "--classes",
      "Background,Nucleus",
      "--min-overlap",
      "8,8",
      "--out",
      join(dir, "model.czann"),
    );
    // NHWC [n, 1024, 1024, 2] read as NCHW and transposed to "NHWC": [n, 1024, 2, 1024]
    expectOneLineError(r, ["OutputShape [1024, 2, 1024] has 1024 channels"]);
    expect(r.stderr).not.toContain("already looks channels-last");
    expect(await listTree(dir)).toEqual([]);
  });

  it("graph edits on a TensorFlow SavedModel", async () => {
    await expectRefused(
      fixture("onnx", "savedmodel"),
      [
        "--preprocess",
        "per-image-standardization",
        "--type",
        "SingleClassSemanticSegmentation",
        "--classes",
        "a,b",
        "--input-shape",
        "256,256,3",
        "--output-shape",
        "256,256,2",
      ],
      ["edit ONNX graphs", "SavedModel", "tf2onnx"],
    );
  });
});

describe("softmax on an output that already is a softmax", () => {
  it("warns, and the file is still written and valid", async () => {
    const out = join(work, "double-softmax.czann");
    const r = await czmodel(
      "pack",
      nuclei,
      "--postprocess",
      "softmax",
      "--type",
      "SingleClassSemanticSegmentation",
      "--classes",
      "Background,Nucleus",
      "--min-overlap",
      "8,8",
      "--out",
      out,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^wrote .*double-softmax\.czann/);
    expect(r.stdout).toMatch(/^ {2}warning: --postprocess softmax: the model's output already comes from a Softmax node/m);
    expect(await listTree(work)).toContain("double-softmax.czann");
    const v = await czmodel("validate", out, "--run");
    expect(v.status, v.stdout).toBe(0);
  });

  it("--json carries the warning", async () => {
    const out = join(work, "double-softmax-json.czann");
    const r = await czmodel(
      "pack",
      nuclei,
      "--postprocess",
      "softmax",
      "--type",
      "SingleClassSemanticSegmentation",
      "--classes",
      "Background,Nucleus",
      "--min-overlap",
      "8,8",
      "--out",
      out,
      "--json",
    );
    expect(r.status).toBe(0);
    const d = parseJson<{ ok: boolean; warnings: string[]; steps: string[] }>(r);
    expect(d.ok).toBe(true);
    expect(d.steps).toContain("post: softmax over channels");
    expect(d.warnings.some((w) => /already comes from a Softmax node/.test(w))).toBe(true);
  });
});

describe("existing outputs (issue 12 point 14)", () => {
  const SEG = ["--type", "SingleClassSemanticSegmentation", "--classes", "Background,Nucleus", "--min-overlap", "8,8"];

  it("pack and convert refuse to replace a file without --overwrite, and replace it with it", async () => {
    const dir = await scratchDir("cli-existing-");
    const out = join(dir, "nuclei.czann");
    expect((await czmodel("pack", nuclei, ...SEG, "--out", out)).status).toBe(0);
    const before = await readFile(out);
    expectOneLineError(await czmodel("pack", nuclei, ...SEG, "--out", out), ["output already exists", "--overwrite"]);
    expect(Buffer.compare(await readFile(out), before)).toBe(0);
    expect((await czmodel("pack", nuclei, ...SEG, "--out", out, "--overwrite")).status).toBe(0);
    expectOneLineError(await czmodel("convert", nucleiSpec, dir, "nuclei"), ["output already exists", "--overwrite"]);
    expect((await czmodel("convert", nucleiSpec, dir, "nuclei", "--overwrite")).status).toBe(0);
  });

  it("never replaces one of its inputs, even with --overwrite", async () => {
    const dir = await scratchDir("cli-existing-input-");
    const model = join(dir, "model.czann");
    await writeFile(model, await readFile(nuclei)); // an ONNX file that happens to carry the output's name
    const r = await czmodel("pack", model, ...SEG, "--out", model, "--overwrite");
    expectOneLineError(r, ["would replace one of the inputs"]);
    expect(Buffer.compare(await readFile(model), await readFile(nuclei))).toBe(0);
  });
});
