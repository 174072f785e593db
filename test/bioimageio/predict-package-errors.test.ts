/**
 * `predict PACKAGE` refuses what it cannot run with the package's semantics in one line on
 * stderr, exit 2, and writes nothing: statistics steps it cannot resolve (over part of the
 * space axes, per dataset, in the output's post-processing, after a softmax), a package without
 * ONNX weights or with several tensors, and ZEN-only options. Packages are copies of the real unet2d_nuclei_broad with
 * one thing changed, or identity-network packages.
 */
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { czmodel, expectOneLineError, listTree, scratchDir } from "../cli/helpers.js";
import { testdata } from "../helpers/paths.js";
import { identityPackage } from "./identity-package.js";

const NUCLEI = testdata("bioimageio", "unet2d_nuclei_broad");
const IMAGE = testdata("images", "nuclei_0000.png");

/** A copy of the nuclei package with `edit` applied to one description file. */
async function changedNuclei(edit: (rdf: string) => string, file = "rdf.yaml"): Promise<string> {
  const pkg = join(await scratchDir("czmodel-pkg-"), "pkg");
  await cp(NUCLEI, pkg, { recursive: true });
  const rdf = join(pkg, file);
  const before = await readFile(rdf, "utf8");
  const after = edit(before);
  expect(after).not.toBe(before);
  await writeFile(rdf, after);
  if (file === "rdf.yaml") await rm(join(pkg, "v0_4_9.bioimageio.yaml"));
  return file === "rdf.yaml" ? pkg : rdf;
}

async function expectRefused(model: string, patterns: (RegExp | string)[], extra: string[] = []): Promise<void> {
  const outDir = join(await scratchDir("czmodel-pkg-out-"), "out");
  const r = await czmodel("predict", model, IMAGE, "-o", join(outDir, "prob.ome.tif"), ...extra);
  expectOneLineError(r, patterns);
  expect(await listTree(outDir)).toBeNull();
}

describe("predict PACKAGE refuses in one line, exit 2, nothing written", () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await scratchDir();
  });

  it("statistics over x only (a space axis left out)", async () => {
    const pkg = await changedNuclei((t) => t.replace(/axes:\r?\n( +)- x\r?\n +- y\r?\n/, "axes:\n$1- x\n"));
    await expectRefused(pkg, [/preprocessing\[1\] \(zero_mean_unit_variance\): statistics over axes \[x\] leave out a space axis/]);
  });

  it("per_dataset statistics (format 0.4)", async () => {
    const rdf = await changedNuclei((t) => t.replace(/mode: per_sample/, "mode: per_dataset"), "v0_4_9.bioimageio.yaml");
    await expectRefused(rdf, [/per_dataset statistics/]);
  });

  it("statistics in the output's post-processing (would need a second model pass)", async () => {
    const pkg = await changedNuclei((t) =>
      t.replace("- id: sigmoid", "- id: scale_range\n        kwargs: {axes: [x, y], min_percentile: 1, max_percentile: 99}"),
    );
    await expectRefused(pkg, [/outputs\[0\]\.postprocessing\[0\] \(scale_range\): .*second model pass/]);
  });

  it("a softmax before a statistics step", async () => {
    const pkg = await identityPackage(join(scratch, "softmax"), {
      channels: 1,
      pre: ["{id: softmax}", "{id: zero_mean_unit_variance, kwargs: {axes: [x, y]}}"],
    });
    await expectRefused(pkg, [/preprocessing\[0\] \(softmax\): softmax before a statistics step/]);
  });

  it("a package without ONNX weights", async () => {
    const pkg = await identityPackage(join(scratch, "no-onnx"), { channels: 1, noOnnx: true });
    await expectRefused(pkg, [/the package has no ONNX weights \(it has torchscript\)/]);
    const nuclei = await changedNuclei((t) => t.replace(/ {2}onnx:\r?\n(?: {4}.*\r?\n)+/, ""));
    await expectRefused(nuclei, [/no ONNX weights \(it has pytorch_state_dict, torchscript\)/]);
  });

  it("several inputs and outputs", async () => {
    await expectRefused(testdata("bioimageio", "unet2d_multi_tensor"), [/2 input\(s\) \(input0, input1\) and 2 output\(s\)/]);
  });

  it("ZEN-only options", async () => {
    await expectRefused(NUCLEI, [/--output both: is for ZEN segmentation models/], ["--output", "both"]);
    await expectRefused(NUCLEI, [/--intensity-range: scales intensities/], ["--intensity-range", "0,255"]);
    await expectRefused(NUCLEI, [/--tile.*513 is not a valid size of axis y \(512\)/], ["--tile", "513,512"]);
  });
});
