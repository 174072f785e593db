/**
 * import(export(model)): the real nuclei .czann exported as a bioimage.io package and imported
 * back gives the same metadata and the same outputs (≤ 1e-6, read back by tifffile and compared
 * by numpy) as the original on nuclei_0000.png.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { czmodel, scratchDir } from "../cli/helpers.js";
import { testdata } from "../helpers/paths.js";

const run = promisify(execFile);

async function entries(path: string): Promise<Record<string, Uint8Array>> {
  return unzipSync(new Uint8Array(await readFile(path)));
}

describe("import(export(model))", () => {
  it("reproduces the nuclei model's metadata and outputs on nuclei_0000.png", async () => {
    const dir = await scratchDir();
    const original = testdata("models", "simple_nuclei_segmodel.czann");
    const image = testdata("images", "nuclei_0000.png");
    const zip = join(dir, "nuclei-bioimageio.zip");
    const back = join(dir, "back.czann");
    const e = await czmodel("export-bioimageio", original, zip, "--author", "Test Author", "--license", "MIT", "--test-image", image);
    expect(e.stderr).toBe("");
    expect(e.status).toBe(0);
    const i = await czmodel("import", zip, "-o", back);
    expect(i.stderr).toBe("");
    expect(i.status).toBe(0);
    expect(i.stdout).toMatch(/test tensors: passed: max \|Δ\| 0\.00e\+0/);

    const [a, b] = [await entries(original), await entries(back)];
    const ma = JSON.parse(Buffer.from(a["model.json"]!).toString()) as Record<string, unknown>;
    const mb = JSON.parse(Buffer.from(b["model.json"]!).toString()) as Record<string, unknown>;
    for (const key of ["Type", "InputShape", "OutputShape", "MinOverlap", "Classes", "ModelName"]) expect(mb[key]).toEqual(ma[key]);
    // a grey model exported with ZEN's own scaling comes back with the very same graph
    expect(Buffer.compare(Buffer.from(b["model.model"]!), Buffer.from(a["model.model"]!))).toBe(0);

    const outs = [join(dir, "a.ome.tif"), join(dir, "b.ome.tif")];
    for (const [model, out] of [
      [original, outs[0]!],
      [back, outs[1]!],
    ] as const) {
      const p = await czmodel("predict", model, image, "-o", out, "--output", "probabilities", "--quiet");
      expect(p.status).toBe(0);
    }
    const { stdout } = await run("/usr/bin/python3", [
      "-c",
      `import numpy as np, tifffile; a=tifffile.imread(${JSON.stringify(outs[0])}).astype(np.float64); b=tifffile.imread(${JSON.stringify(outs[1])}).astype(np.float64); print(a.shape == b.shape, float(np.abs(a-b).max()))`,
    ]);
    const [same, diff] = stdout.trim().split(" ");
    expect(same).toBe("True");
    expect(Number(diff)).toBeLessThanOrEqual(1e-6);
  });
});
