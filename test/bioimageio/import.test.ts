/**
 * `czmodel import` acceptance: the real unet2d_nuclei_broad package (formats 0.5.4 and 0.4.9)
 * becomes a .czann that passes the test-tensor check, and `predict` of that file on a uint16
 * TIFF holding test_input.npy (written by tifffile) reproduces test_output.npy (read back and
 * compared by numpy). Multi-tensor packages are refused in one line with nothing written.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { czmodel, expectOneLineError, listTree, parseJson, scratchDir } from "../cli/helpers.js";
import { testdata } from "../helpers/paths.js";

const run = promisify(execFile);
const NUCLEI = testdata("bioimageio", "unet2d_nuclei_broad");
const PY = "/usr/bin/python3";

async function modelJson(path: string): Promise<Record<string, unknown>> {
  const files = unzipSync(new Uint8Array(await readFile(path)));
  return JSON.parse(Buffer.from(files["model.json"]!).toString("utf8")) as Record<string, unknown>;
}

describe("czmodel import: unet2d_nuclei_broad", () => {
  it.each([
    ["the folder (rdf.yaml, format 0.5.4)", NUCLEI],
    ["v0_4_9.bioimageio.yaml (format 0.4.9)", join(NUCLEI, "v0_4_9.bioimageio.yaml")],
  ])("imports %s with no other flag and passes the test-tensor check", async (_what, source) => {
    const dir = await scratchDir();
    const out = join(dir, "nuclei.czann");
    const r = await czmodel("import", source, "-o", out);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/test tensors: passed/);
    expect(r.stdout).toMatch(/0 of 262144 labels flipped/);
    expect(r.stdout).toMatch(/pixel type: uint16/);
    expect(r.stdout).toMatch(/per-sample statistics/);
    const m = await modelJson(out);
    expect(m).toMatchObject({
      Type: "SingleClassSemanticSegmentation",
      InputShape: [512, 512, 1],
      OutputShape: [512, 512, 2],
      MinOverlap: [64, 64],
      Classes: ["probability", "Background"],
      ModelName: "UNet 2D Nuclei Broad",
    });
    const files = unzipSync(new Uint8Array(await readFile(out)));
    expect(Object.keys(files)).toEqual(["model.json", "model.model", "LICENSE.txt"]);
    expect(Buffer.from(files["LICENSE.txt"]!).toString()).toMatch(/^SPDX-License-Identifier: MIT/);
  });

  it("--json reports the choices, the ops and the test-tensor figures", async () => {
    const dir = await scratchDir();
    const r = await czmodel("import", NUCLEI, "-o", join(dir, "n.czann"), "--json");
    expect(r.status).toBe(0);
    const j = parseJson<{
      ok: boolean;
      pixelType: string;
      inputRange: number;
      preprocessing: string[];
      postprocessing: string[];
      test: { passed: boolean; maxAbsDiff: number; labelFlips: number };
    }>(r);
    expect(j.ok).toBe(true);
    expect(j.pixelType).toBe("uint16");
    expect(j.inputRange).toBe(65535);
    expect(j.preprocessing).toEqual(["scale-linear=65535/0", "zero-mean-unit-variance=per-channel/0.000001"]);
    expect(j.postprocessing).toEqual(["sigmoid", "sigmoid-to-softmax-scores"]);
    expect(j.test.passed).toBe(true);
    expect(j.test.maxAbsDiff).toBeLessThan(1e-4);
    expect(j.test.labelFlips).toBe(0);
  });

  it("predict of the imported model on a uint16 TIFF of test_input.npy reproduces test_output.npy (tifffile + numpy)", async () => {
    const dir = await scratchDir();
    const model = join(dir, "nuclei.czann");
    expect((await czmodel("import", NUCLEI, "-o", model)).status).toBe(0);
    const tif = join(dir, "input.tif");
    await run(PY, [
      "-c",
      `import numpy as np, tifffile; a=np.load(${JSON.stringify(join(NUCLEI, "test_input.npy"))}); tifffile.imwrite(${JSON.stringify(tif)}, a[0,0].astype(np.uint16))`,
    ]);
    const out = join(dir, "prob.ome.tif");
    const p = await czmodel("predict", model, tif, "-o", out, "--output", "probabilities", "--quiet");
    expect(p.stderr).toBe("");
    expect(p.status).toBe(0);
    const { stdout } = await run(PY, [
      "-c",
      [
        "import json, numpy as np, tifffile",
        `e=np.load(${JSON.stringify(join(NUCLEI, "test_output.npy"))})[0,0].astype(np.float64)`,
        `a=np.squeeze(tifffile.imread(${JSON.stringify(out)})).astype(np.float64)`,
        "p=a[0] if a.shape[0]==2 else a[...,0]",
        "print(json.dumps({'shape': list(a.shape), 'maxdiff': float(np.abs(p-e).max()), 'flips': int(((p>0.5)!=(e>0.5)).sum()), 'sum': float(np.abs(a.sum(axis=0 if a.shape[0]==2 else -1)-1).max())}))",
      ].join("\n"),
    ]);
    const res = JSON.parse(stdout) as { maxdiff: number; flips: number; sum: number };
    expect(res.maxdiff).toBeLessThanOrEqual(1e-4);
    expect(res.flips).toBe(0);
    expect(res.sum).toBeLessThan(1e-5);
  });

  it("unet2d_multi_tensor is refused in one line, exit 2, with nothing written", async () => {
    const dir = await scratchDir();
    const r = await czmodel("import", testdata("bioimageio", "unet2d_multi_tensor"), "-o", join(dir, "sub", "multi.czann"));
    expectOneLineError(r, [/2 input\(s\) \(input0, input1\) and 2 output\(s\) \(output0, output1\)/]);
    expect(await listTree(dir)).toEqual([]);
  });
});
