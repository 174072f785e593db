/**
 * `czmodel predict PACKAGE` on the real unet2d_nuclei_broad package (zero_mean_unit_variance
 * over x, y; halo 32; sigmoid) against an independent reference:
 * - on test_input.npy (as a uint16 TIFF) it reproduces the package's own test_output.npy;
 * - on a 4096² uint16 image whose intensity varies across the image (made by
 *   scripts/fixtures/bioimageio_whole_image.py, with numpy and tifffile) it matches numpy's
 *   whole-image normalisation fed to the package's plain weights.onnx (+ sigmoid), which our
 *   engine runs in raw mode with the same tiles and halo, within 1e-5; per-tile statistics
 *   would change the network's input by more than 1 on this image. The CLI runs in a child
 *   process whose peak RSS is checked;
 * - a z-stack is normalised plane by plane: each output plane equals the run on that plane alone.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { predictNode } from "../../src/engine/node/index.js";
import type { EngineModel } from "../../src/engine/types.js";
import { createImageFileSink } from "../../src/io/node/create-sink.js";
import { openImageFile } from "../../src/io/node/open-file.js";
import { adaptModel, parseOpList } from "../../src/onnx/index.js";
import { czmodel, parseJson, scratchDir } from "../cli/helpers.js";
import { repoRoot, testdata } from "../helpers/paths.js";

const run = promisify(execFile);
const PY = "/usr/bin/python3";
const NUCLEI = testdata("bioimageio", "unet2d_nuclei_broad");

interface PackageJson {
  ok: boolean;
  files: string[];
  tile: number[];
  border: number[];
  tiles: number;
  outputs: { width: number; height: number; samplesPerPixel: number; sampleType: string; channelNames: string[] }[];
  package: {
    preprocessing: string[];
    postprocessing: string[];
    statisticsMethod: string;
    samples: { plane: { z: number }; statistics: { step: string; scope: string; values: Record<string, number[]>; ops: string[] }[] }[];
    runs: number;
  };
}

/** Max |a − b| of two TIFFs (squeezed, float64), read by tifffile. */
async function maxDiff(a: string, b: string): Promise<{ maxdiff: number; shape: number[] }> {
  const { stdout } = await run(PY, [
    "-c",
    [
      "import json, sys, numpy as np, tifffile",
      "a=np.squeeze(tifffile.imread(sys.argv[1])).astype(np.float64); b=np.squeeze(tifffile.imread(sys.argv[2])).astype(np.float64)",
      "print(json.dumps({'maxdiff': float(np.abs(a-b).max()), 'shape': list(a.shape)}))",
    ].join("\n"),
    a,
    b,
  ]);
  return JSON.parse(stdout) as { maxdiff: number; shape: number[] };
}

/** The package's weights.onnx as they are (NCHW) + sigmoid, as an engine model fed raw values. */
async function plainWeightsModel(): Promise<EngineModel> {
  const onnx = new Uint8Array(await readFile(join(NUCLEI, "weights.onnx")));
  const adapted = adaptModel(onnx, { channelsFirst: true, forceLayout: true, postprocessing: parseOpList("sigmoid", "post") });
  return {
    name: "weights.onnx + sigmoid",
    kind: "regression",
    onnx: adapted.bytes,
    tile: [512, 512],
    border: [32, 32],
    inputChannels: 1,
    outputChannels: 1,
    channelOrder: "rgb",
    scaleInputs: false,
  };
}

describe("predict PACKAGE: unet2d_nuclei_broad", () => {
  it("reproduces the package's test_output.npy from test_input.npy (uint16 TIFF)", async () => {
    const dir = await scratchDir();
    const tif = join(dir, "input.tif");
    await run(PY, [
      "-c",
      `import numpy as np, tifffile; a=np.load(${JSON.stringify(join(NUCLEI, "test_input.npy"))}); tifffile.imwrite(${JSON.stringify(tif)}, a[0,0].astype(np.uint16))`,
    ]);
    const out = join(dir, "prob.ome.tif");
    const r = await czmodel("predict", NUCLEI, tif, "-o", out, "--json");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const j = parseJson<PackageJson>(r);
    expect(j.outputs[0]).toMatchObject({
      width: 512,
      height: 512,
      samplesPerPixel: 1,
      sampleType: "float32",
      channelNames: ["probability"],
    });
    expect(j.package.postprocessing).toEqual(["sigmoid"]);
    const { stdout } = await run(PY, [
      "-c",
      `import numpy as np, tifffile; e=np.load(${JSON.stringify(join(NUCLEI, "test_output.npy"))})[0,0]; a=tifffile.imread(${JSON.stringify(out)}); print(float(np.abs(a-e).max()))`,
    ]);
    expect(Number(stdout)).toBeLessThan(1e-5);
  });

  describe("a 4096² uint16 image with a strong intensity ramp", () => {
    let dir: string;
    let expected: { mean: number; std: number; perTileMaxAbsDiff: number };
    beforeAll(async () => {
      dir = await scratchDir();
      await run(PY, [join(repoRoot, "scripts", "fixtures", "bioimageio_whole_image.py"), NUCLEI, dir, "4096"]);
      expected = JSON.parse(await readFile(join(dir, "expected.json"), "utf8")) as typeof expected;
    }, 120_000);

    it("matches numpy's whole-image normalisation through the plain weights within 1e-5, in bounded memory", async () => {
      // per-tile statistics would feed the network a very different input on this image
      expect(expected.perTileMaxAbsDiff).toBeGreaterThan(1);

      const out = join(dir, "package.ome.tif");
      const cli = await run(
        process.execPath,
        ["--import", "./bench/peak-rss.mjs", "bin/czmodel.js", "predict", NUCLEI, join(dir, "image.tif"), "-o", out, "--json"],
        {
          cwd: repoRoot,
          maxBuffer: 16 << 20,
        },
      );
      const j = JSON.parse(cli.stdout) as PackageJson;
      expect(j.ok).toBe(true);
      expect(j.tile).toEqual([512, 512]);
      expect(j.border).toEqual([32, 32]);
      const [stat] = j.package.samples[0]!.statistics;
      expect(stat!.scope).toBe("per-channel");
      expect(Math.abs(stat!.values.mean![0]! - expected.mean) / expected.mean).toBeLessThan(1e-13);
      expect(Math.abs(stat!.values.std![0]! - expected.std) / expected.std).toBeLessThan(1e-12);
      expect(j.package.preprocessing).toEqual([`zero-mean-unit-variance=${stat!.values.mean![0]}/${stat!.values.std![0]}/0.000001`]);
      const rssMb = Number(/peak-rss-kb (\d+)/.exec(cli.stderr)![1]) / 1024;
      // the image alone is 32 MB as uint16 and 64 MB as float32; the runtime's own arena dominates
      expect(rssMb).toBeLessThan(900);

      // reference: numpy's normalised image through the plain weights (+ sigmoid), same tiles and halo
      const ref = join(dir, "reference.ome.tif");
      const source = await openImageFile(join(dir, "normalised.tif"));
      try {
        const sink = await createImageFileSink(ref, {});
        const r = await predictNode(await plainWeightsModel(), source, sink, {});
        expect(r.inputScaling).toMatch(/^none/);
        expect(r.tiles).toBe(j.tiles);
      } finally {
        await source.close();
      }
      const d = await maxDiff(out, ref);
      expect(d.shape).toEqual([4096, 4096]);
      expect(d.maxdiff).toBeLessThanOrEqual(1e-5);
    }, 600_000);
  });

  it("normalises each plane of a z-stack with its own statistics (one run per plane)", async () => {
    const dir = await scratchDir();
    await run(PY, [
      "-c",
      [
        "import sys, numpy as np, tifffile",
        `a=np.load(${JSON.stringify(join(NUCLEI, "test_input.npy"))})[0,0].astype(np.float64)`,
        "big=np.tile(a,(2,2))[:600,:560]",
        "z=np.stack([big, big*3+500, big*0.5+10]).astype(np.uint16)",
        "tifffile.imwrite(sys.argv[1]+'/z.ome.tif', z, metadata={'axes': 'ZYX'})",
        "[tifffile.imwrite(sys.argv[1]+f'/p{i}.tif', z[i]) for i in range(3)]",
      ].join("\n"),
      dir,
    ]);
    const r = await czmodel("predict", NUCLEI, join(dir, "z.ome.tif"), "-o", join(dir, "z-out.ome.tif"), "--json");
    expect(r.status, r.stderr).toBe(0);
    const j = parseJson<PackageJson>(r);
    expect(j.package.runs).toBe(3);
    const means = j.package.samples.map((s) => s.statistics[0]!.values.mean![0]!);
    expect(new Set(means).size).toBe(3);
    for (let i = 0; i < 3; i++) {
      const one = await czmodel("predict", NUCLEI, join(dir, `p${i}.tif`), "-o", join(dir, `p${i}-out.ome.tif`), "--json");
      expect(one.status, one.stderr).toBe(0);
      expect(parseJson<PackageJson>(one).package.samples[0]!.statistics[0]!.values.mean![0]).toBe(means[i]);
      const { stdout } = await run(PY, [
        "-c",
        `import numpy as np, tifffile; z=np.squeeze(tifffile.imread(${JSON.stringify(join(dir, "z-out.ome.tif"))})); p=tifffile.imread(${JSON.stringify(join(dir, `p${i}-out.ome.tif`))}); print(float(np.abs(z[${i}]-p).max()))`,
      ]);
      expect(Number(stdout)).toBe(0);
    }
  }, 300_000);
});
