/**
 * `czmodel predict` as a user runs it (issue 4 acceptance): the real nuclei model on the real
 * nuclei image (tiling needed) against the real labels, the real regression model against the
 * high-SNR image, the JSON summary, and the bad inputs — each one line, exit 2, nothing left
 * in the output folder.
 */
import { spawn } from "node:child_process";
import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decode } from "fast-png";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCzann, ModelMetadata } from "../../src/browser.js";
import { openImageFile } from "../../src/index.js";
import { makeBigTiffFromImage } from "../../src/io/tiff/node/make-big-tiff.js";
import { fixture, repoRoot, tempDir, testdata } from "../helpers/paths.js";
import { czmodel, expectOneLineError, listTree, parseJson } from "./helpers.js";

const nucleiModel = testdata("models", "simple_nuclei_segmodel.czann");
const kidneyModel = testdata("models", "simple_kidney_regmodel.czann");

async function readPlane(path: string): Promise<{ data: ArrayLike<number>; width: number; height: number; type: string }> {
  const img = await openImageFile(path);
  try {
    const { width, height, sampleType } = img.info;
    return { data: await img.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width, height }), width, height, type: sampleType };
  } finally {
    await img.close();
  }
}

/** A .czann around `onnx` (bytes) with the given shapes, written into `dir`. */
async function czannOf(dir: string, name: string, onnx: Uint8Array, inputShape: number[], outputShape: number[]): Promise<string> {
  const metadata = ModelMetadata.fromParams({
    type: "SingleClassSemanticSegmentation",
    inputShape,
    outputShape,
    minOverlap: [4, 4],
    classes: ["A", "B"],
  });
  const path = join(dir, `${name}.czann`);
  await writeFile(path, buildCzann({ metadata, model: onnx }));
  return path;
}

describe("czmodel predict on real models and data", () => {
  it("nuclei: 1960×1416 uint16 with a 1024² model gives IoU >= 0.79 against the labels", async () => {
    const dir = await tempDir();
    const out = join(dir, "labels.png");
    const r = await czmodel("predict", nucleiModel, testdata("images", "nuclei_0000.png"), "-o", out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(""); // no progress bar when stderr is not a TTY
    expect(r.stdout).toMatch(/wrote .*labels\.png \(labels, 1960x1416, 1 x uint8\)/);
    const pred = await readPlane(out);
    const truth = decode(await readFile(testdata("images", "nuclei_0000_labels.png")));
    expect([pred.width, pred.height]).toEqual([truth.width, truth.height]);
    let inter = 0;
    let union = 0;
    for (let i = 0; i < pred.data.length; i++) {
      const p = pred.data[i] === 2; // label 2 = "Nucleus" (argmax + 1)
      const t = (truth.data[i * truth.channels] as number) !== 0;
      if (p && t) inter++;
      if (p || t) union++;
    }
    expect(inter / union).toBeGreaterThanOrEqual(0.79);
  });

  it("kidney regression: float32 output with PSNR >= 30 dB against the high-SNR image (input alone ~18 dB)", async () => {
    const dir = await tempDir();
    const out = join(dir, "denoised.ome.tif");
    const r = await czmodel("predict", kidneyModel, testdata("images", "kidney_dapi_lowsnr.png"), "-o", out, "--json");
    expect(r.status, r.stderr).toBe(0);
    const summary = parseJson<{ ok: boolean; outputs: { kind: string; sampleType: string }[]; tiles: number }>(r);
    expect(summary.ok).toBe(true);
    expect(summary.outputs[0]).toMatchObject({ kind: "regression", sampleType: "float32" });
    const pred = await readPlane(out);
    expect(pred.type).toBe("float32");
    const high = decode(await readFile(testdata("images", "kidney_dapi_highsnr.png")));
    const low = decode(await readFile(testdata("images", "kidney_dapi_lowsnr.png")));
    const psnr = (get: (i: number) => number) => {
      let se = 0;
      for (let i = 0; i < pred.data.length; i++) se += (get(i) - (high.data[i * high.channels] as number) / 255) ** 2;
      return 10 * Math.log10(1 / (se / pred.data.length));
    };
    expect(psnr((i) => pred.data[i] as number)).toBeGreaterThanOrEqual(30);
    expect(psnr((i) => (low.data[i * low.channels] as number) / 255)).toBeLessThan(20);
  });
});

describe("czmodel predict: bad input gives one line, exit 2 and no output", () => {
  let dir: string;
  let outDir: string;
  beforeAll(async () => {
    dir = await tempDir();
    outDir = join(dir, "out");
    await mkdir(outDir);
  });

  async function expectNoOutput(args: string[], patterns: (RegExp | string)[]): Promise<void> {
    const before = await listTree(outDir);
    const r = await czmodel("predict", ...args);
    expectOneLineError(r, patterns);
    expect(await listTree(outDir)).toEqual(before);
  }

  it("model and image channels that cannot be mapped", async () => {
    const model = await czannOf(
      dir,
      "two",
      new Uint8Array(await readFile(fixture("predict", "two_channel.onnx"))),
      [32, 32, 2],
      [32, 32, 2],
    );
    await expectNoOutput(
      [model, testdata("images", "kidney_dapi_lowsnr.png"), "-o", join(outDir, "a.png")],
      [/cannot map the image's 3 sample\(s\) per pixel \(rgb\) to the model's 2 input channel\(s\)/],
    );
  });

  it("a model whose output is not NHWC", async () => {
    const model = await czannOf(dir, "nchw", new Uint8Array(await readFile(fixture("engine", "nchw_out.onnx"))), [32, 32, 1], [32, 32, 2]);
    await expectNoOutput(
      [model, testdata("images", "nuclei_0000.png"), "-o", join(outDir, "b.ome.tif")],
      [/has shape \[N, 2, 32, 32\]; expected NHWC/],
    );
  });

  it("an unsupported TIFF sample format", async () => {
    await expectNoOutput(
      [nucleiModel, fixture("io", "unsupported_complex64.tif"), "-o", join(outDir, "c.ome.tif")],
      [/unsupported_complex64\.tif/, /sample format/i],
    );
  });

  it("a truncated TIFF", async () => {
    const whole = await readFile(fixture("io", "tiled_bigtiff_u16.tif"));
    const cut = join(dir, "truncated.tif");
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    await expectNoOutput([nucleiModel, cut, "-o", join(outDir, "d.ome.tif")], [/truncated\.tif/, /truncated/]);
  });

  it("an unwritable output (its folder is a file)", async () => {
    const blocker = join(dir, "a-file");
    await writeFile(blocker, "x");
    const r = await czmodel("predict", nucleiModel, testdata("images", "nuclei_0000.png"), "-o", join(blocker, "e.ome.tif"));
    expectOneLineError(r, [/a-file/]);
    expect(await readFile(blocker, "utf8")).toBe("x");
  });

  it("an output that already exists is kept unless --overwrite", async () => {
    const existing = join(outDir, "kept.png");
    await copyFile(fixture("io", "stripped_packbits_u8.tif"), existing);
    const before = await readFile(existing);
    await expectNoOutput([nucleiModel, testdata("images", "nuclei_0000.png"), "-o", existing], [/already exists/, /--overwrite/]);
    expect((await readFile(existing)).equals(before)).toBe(true);
  });

  it("--overwrite never removes a folder that is not an OME-Zarr output (PNG or OME-Zarr path alike)", async () => {
    for (const name of ["folder.png", "folder.ome.zarr"]) {
      const folder = join(outDir, name);
      await mkdir(folder);
      await writeFile(join(folder, "precious.txt"), "keep me");
      const before = await listTree(outDir);
      const r = await czmodel("predict", nucleiModel, testdata("images", "nuclei_0000.png"), "-o", folder, "--overwrite");
      expectOneLineError(r, [folder, /not an OME-Zarr output/, /never removes it/]);
      expect(await listTree(outDir)).toEqual(before);
      expect(await readFile(join(folder, "precious.txt"), "utf8")).toBe("keep me");
    }
  });

  it("a --plane range far beyond any image (t=0-99999999999): one line, not an internal error", async () => {
    await expectNoOutput(
      [nucleiModel, testdata("images", "nuclei_0000.png"), "-o", join(outDir, "g.png"), "--plane", "t=0-99999999999"],
      [/--plane/, /index 99999999999 is beyond any image's planes/],
    );
  });

  it("an unknown --plane axis", async () => {
    await expectNoOutput(
      [nucleiModel, testdata("images", "nuclei_0000.png"), "-o", join(outDir, "f.png"), "--plane", "q=1"],
      [/--plane/, /scene, t, c, z/],
    );
  });
});

/**
 * Start `czmodel predict` on a 4096² BigTIFF into an empty folder and wait until its temp
 * output exists (the sink creates it before the first tile runs), so the run can be interrupted.
 */
async function predictUntilItsTempExists() {
  const dir = await tempDir();
  const image = join(dir, "big.ome.tif");
  await makeBigTiffFromImage(testdata("images", "nuclei_0000.png"), image, { width: 4096, height: 4096, compress: true });
  const outDir = join(dir, "out");
  await mkdir(outDir);
  const target = join(outDir, "labels.ome.tif");
  const child = spawn(process.execPath, [join(repoRoot, "bin", "czmodel.js"), "predict", nucleiModel, image, "-o", target], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  while ((await readdir(outDir)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return { outDir, target, child, exited, stderr: () => stderr };
}

describe("czmodel predict: Ctrl-C", () => {
  it("SIGINT during prediction exits 130 and leaves no output or temp file", async () => {
    const { outDir, child, exited, stderr } = await predictUntilItsTempExists();
    expect(await readdir(outDir)).toHaveLength(1);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr()).toBe("czmodel: error: prediction cancelled\n");
    expect(await readdir(outDir)).toEqual([]);
  });
});

describe("czmodel predict: a run killed with SIGKILL", () => {
  it("leaves its temp file, which the next run to that target removes and reports; a live process's temp stays", async () => {
    const { outDir, target, child, exited } = await predictUntilItsTempExists();
    child.kill("SIGKILL");
    await exited;
    const [left] = await readdir(outDir);
    expect(left).toMatch(new RegExp(`^\\.labels\\.ome\\.tif\\.[A-Za-z0-9-]+-${child.pid}-[0-9a-f]{8}\\.partial$`));
    // a temp of a process that still runs (this test) is not touched
    const live = left!.replace(`-${child.pid}-`, `-${process.pid}-`);
    await writeFile(join(outDir, live), "");
    const r = await czmodel("predict", nucleiModel, testdata("images", "nuclei_0000.png"), "-o", target, "--quiet");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`warning: removed ${left}, a temp output that a killed run left behind`);
    expect((await readdir(outDir)).sort()).toEqual([live, "labels.ome.tif"].sort());
  }, 60_000);
});

describe("czmodel output into a closed pipe", () => {
  it("a reader that closes early (czmodel --help | head -0) ends the output quietly: exit 0, no EPIPE stack", async () => {
    const child = spawn(process.execPath, [join(repoRoot, "bin", "czmodel.js"), "--help"], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const status = await new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    expect(stderr).toBe("");
    expect(status).toBe(0);
  });
});
