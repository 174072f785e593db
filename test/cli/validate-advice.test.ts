/**
 * `pack`, `validate` (structural and `--run`) and `predict` on the models a user meets when
 * packing a bioimage.io model by hand (test/fixtures/validate/, made by
 * scripts/fixtures/validate_models.py), through the real command line:
 * - logit outputs: the advice by channel count (softmax for 2 channels, sigmoid +
 *   sigmoid-to-softmax-scores for 1), and that following the 2-channel advice gives a valid file;
 * - an output of half the input's size: refused by all three with the same words;
 * - a channels-first model packed as it is: the --channels-first hint;
 * - a model computing per-image statistics: warned about by pack and validate, noted by
 *   predict when the image takes more than one tile (not when one tile covers it); the real
 *   models in ../shared/testdata hold no such statistics (a fixed shift and scale instead).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { encode } from "fast-png";
import { GraphProtoSchema, ModelProtoSchema, OperatorSetIdProtoSchema, TensorProto_DataType as DT } from "onnx-buf";
import { beforeAll, describe, expect, it } from "vitest";
import { makeNode, makeTensorValueInfo } from "../../src/onnx/graph/nodes.js";
import { encodeModel, findOperation } from "../../src/onnx/index.js";
import { fixture, testdata } from "../helpers/paths.js";
import { czmodel, expectOneLineError, listTree, parseJson, scratchDir, zipEntry } from "./helpers.js";

const model = (name: string) => fixture("validate", name);
const SEG = ["--type", "SingleClassSemanticSegmentation", "--min-overlap", "8,8"];
const ONE_CHANNEL_ADVICE =
  "pack the model with --postprocess sigmoid,sigmoid-to-softmax-scores and Classes with the object first, then Background (e.g. Nucleus,Background), " +
  "since sigmoid-to-softmax-scores gives [p, 1 − p]; leave out sigmoid if the model already ends in one";
const HINT = "the model looks channels-first (NCHW): pack it with --channels-first";
const SPATIAL_RULE =
  "output spatial size [32, 32] differs from input spatial size [64, 64]; ZEN requires output spatial size == input spatial size";
const STATS_64 =
  'the model computes statistics per image (ReduceMean "/ReduceMean" over axes [1, 2, 3], ReduceMean "/ReduceMean_1" over axes [1, 2, 3]); ' +
  "ZEN computes them per tile, so images larger than the tile 64×64 give results that depend on the tiling";

interface Report {
  ok: boolean;
  findings: { severity: string; code: string; message: string; where?: string }[];
}
interface PredictJson {
  tilesPerPlane: number;
  notes: string[];
}

let work: string;
let bigImage: string; // 160 × 120 grey: several 64² tiles
let fitImage: string; // 64 × 64 grey: one tile

async function greyPng(path: string, width: number, height: number): Promise<string> {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + Math.floor(i / width) * 11) % 256;
  await writeFile(path, encode({ width, height, data, channels: 1, depth: 8 }));
  return path;
}

beforeAll(async () => {
  work = await scratchDir("cli-validate-advice-");
  bigImage = await greyPng(join(work, "big.png"), 160, 120);
  fitImage = await greyPng(join(work, "fit.png"), 64, 64);
});

/** `czmodel pack ARGS --out WORK/NAME`; the output path. */
async function packed(name: string, args: string[]): Promise<string> {
  const out = join(work, name);
  const r = await czmodel("pack", ...args, "--out", out);
  expect(r.status, r.stderr).toBe(0);
  return out;
}

async function validateJson(file: string, ...args: string[]): Promise<{ status: number; report: Report }> {
  const r = await czmodel("validate", file, ...args, "--json");
  return { status: r.status, report: parseJson<Report>(r) };
}

const errorsOf = (report: Report) =>
  report.findings.filter((f) => f.severity === "error").map((f) => ({ code: f.code, where: f.where, message: f.message }));

describe("logit advice", () => {
  it("2 channels: validate --run says softmax, and the model packed with --postprocess softmax validates", async () => {
    const file = await packed("logit2.czann", [model("logit2_nhwc.onnx"), ...SEG, "--classes", "Background,Nucleus"]);
    const { status, report } = await validateJson(file, "--run");
    expect(status).toBe(1);
    const errors = errorsOf(report);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe("output-not-probabilities");
    expect(errors[0]!.message).toMatch(
      /^segmentation outputs must be class probabilities \(each in \[0, 1\], summing to 1 ± 0\.001 per pixel\), but values range over \[-?[\d.]+, -?[\d.]+\] and per-pixel sums over \[-?[\d.]+, -?[\d.]+\]: it looks like logits; pack the model with --postprocess softmax$/,
    );

    const fixed = await packed("logit2-softmax.czann", [
      model("logit2_nhwc.onnx"),
      ...SEG,
      "--classes",
      "Background,Nucleus",
      "--postprocess",
      "softmax",
    ]);
    const v = await czmodel("validate", fixed, "--run");
    expect(v.status, v.stdout).toBe(0);
    expect(v.stdout).toMatch(/: valid for zen-3\.13\n/);
  });

  it("1 channel: pack refuses it with the sigmoid advice, with 2 classes and with 1, and --force cannot write it", async () => {
    const line = `czmodel: error: pack options: OutputShape: [64, 64, 1] has 1 channel, but a segmentation model needs one probability channel per class (at least 2): ${ONE_CHANNEL_ADVICE}`;
    for (const classes of ["Background,Nucleus", "Nucleus"]) {
      for (const force of [[], ["--force"]]) {
        const dir = await scratchDir("cli-validate-advice-case-");
        const r = await czmodel("pack", model("logit1_nhwc.onnx"), ...SEG, "--classes", classes, ...force, "--out", join(dir, "m.czann"));
        expectOneLineError(r, []);
        expect(r.stderr).toBe(`${line}\n`);
        expect(await listTree(dir)).toEqual([]);
      }
    }
  });

  it("1 channel in a legacy file (written with --force): validate, validate --run and predict give the same advice", async () => {
    const dir = await scratchDir("cli-validate-advice-case-");
    const r = await czmodel(
      "pack",
      model("logit1_nhwc.onnx"),
      "--format",
      "czmodel",
      "--border",
      "4",
      "--classes",
      "Nucleus,Background",
      "--name",
      "Logit1",
      "--force",
      "--out",
      join(dir, "m.czmodel"),
    );
    expect(r.status, r.stderr).toBe(0);
    const structural = `the ONNX output [batch, 64, 64, 1] has 1 channel, but a segmentation model needs one probability channel per class (at least 2): ${ONE_CHANNEL_ADVICE}`;
    expect(r.stdout).toContain(`  error: ONNX output "output": ${structural}\n`);
    const file = join(dir, "m.czmodel");

    const plain = await validateJson(file);
    expect(plain.status).toBe(1);
    expect(errorsOf(plain.report)).toEqual([{ code: "output-one-channel", where: 'ONNX output "output"', message: structural }]);

    const run = await validateJson(file, "--run");
    expect(run.status).toBe(1);
    const numeric = errorsOf(run.report).find((e) => e.code === "output-not-probabilities")!;
    expect(numeric.message).toMatch(
      /^segmentation outputs must be class probabilities \(each in \[0, 1\], summing to 1 ± 0\.001 per pixel\), but the output has 1 channel with values over \[-?[\d.]+, -?[\d.]+\]: /,
    );
    expect(numeric.message.endsWith(`: ${ONE_CHANNEL_ADVICE}`)).toBe(true);

    const p = await czmodel("predict", file, fitImage, "-o", join(dir, "labels.png"));
    expectOneLineError(p, []);
    expect(p.stderr).toBe(
      `czmodel: error: Logit1: a segmentation model must output one channel per class (>= 2); this one outputs 1: ${ONE_CHANNEL_ADVICE}\n`,
    );
  });

  it("1 channel with sigmoid-to-softmax-scores alone (no sigmoid): validate --run explains [p, 1 − p] of a logit", async () => {
    const file = await packed("logit1-scores.czann", [
      model("logit1_nhwc.onnx"),
      ...SEG,
      "--classes",
      "Nucleus,Background",
      "--postprocess",
      "sigmoid-to-softmax-scores",
    ]);
    expect((await validateJson(file)).status).toBe(0); // structurally fine: 2 channels, 2 classes
    const { status, report } = await validateJson(file, "--run");
    expect(status).toBe(1);
    const [e] = errorsOf(report);
    expect(e!.message).toMatch(
      /per-pixel sums over \[1, 1\]: the channels sum to 1 but leave \[0, 1\], as \[p, 1 − p\] of a 1-channel logit p does; /,
    );
    expect(e!.message.endsWith(ONE_CHANNEL_ADVICE)).toBe(true);
  });

  // The `sigmoid` op is being added on another branch; this runs once it is registered.
  it.skipIf(!findOperation("sigmoid"))("1 channel: the model packed as advised validates with --run", async () => {
    const file = await packed("logit1-sigmoid.czann", [
      model("logit1_nhwc.onnx"),
      ...SEG,
      "--classes",
      "Nucleus,Background",
      "--postprocess",
      "sigmoid,sigmoid-to-softmax-scores",
    ]);
    const v = await czmodel("validate", file, "--run");
    expect(v.status, v.stdout).toBe(0);
  });
});

describe("output of half the input size: pack, validate and predict agree", () => {
  it("pack refuses it (exit 2) and writes nothing", async () => {
    const dir = await scratchDir("cli-validate-advice-case-");
    const r = await czmodel(
      "pack",
      model("half_regression.onnx"),
      "--type",
      "Regression",
      "--min-overlap",
      "8,8",
      "--out",
      join(dir, "half.czann"),
    );
    expectOneLineError(r, []);
    expect(r.stderr).toBe(`czmodel: error: pack: ZEN would reject this model: model.json: OutputShape: ${SPATIAL_RULE}\n`);
    expect(await listTree(dir)).toEqual([]);
  });

  it("written with --force: validate reports it (exit 1, structural and --run) and predict refuses it (exit 2), in the same words", async () => {
    const file = await packed("half.czann", [
      model("half_regression.onnx"),
      "--type",
      "Regression",
      "--min-overlap",
      "8,8",
      "--name",
      "Half",
      "--force",
    ]);

    const plain = await czmodel("validate", file);
    expect(plain.status).toBe(1);
    expect(plain.stdout).toBe(
      `${file}: INVALID for zen-3.13: 1 error(s), 0 warning(s)\n  error   model.json: OutputShape: ${SPATIAL_RULE}\n`,
    );

    const run = await validateJson(file, "--run");
    expect(run.status).toBe(1);
    expect(errorsOf(run.report)).toEqual([
      { code: "output-spatial", where: "model.json: OutputShape", message: SPATIAL_RULE },
      { code: "output-spatial", where: 'output "output"', message: SPATIAL_RULE },
    ]);

    const dir = await scratchDir("cli-validate-advice-case-");
    const p = await czmodel("predict", file, bigImage, "-o", join(dir, "out.ome.tif"));
    expectOneLineError(p, []);
    expect(p.stderr).toBe(`czmodel: error: Half: model output 'output' [batch, 32, 32, 1]: ${SPATIAL_RULE}\n`);
    expect(await listTree(dir)).toEqual([]);
  });
});

describe("channels-first model packed without --channels-first", () => {
  it("segmentation: the class/channel mismatch says the model looks NCHW; with --channels-first it packs and validates", async () => {
    const dir = await scratchDir("cli-validate-advice-case-");
    const r = await czmodel("pack", model("nchw_seg.onnx"), ...SEG, "--classes", "Background,Nucleus", "--out", join(dir, "m.czann"));
    expectOneLineError(r, []);
    expect(r.stderr).toBe(
      `czmodel: error: pack options: Classes: ["Background", "Nucleus"] has 2 classes but OutputShape [2, 64, 64] has 64 channels; ${HINT} (allowed: one class name per output channel)\n`,
    );
    expect(await listTree(dir)).toEqual([]);

    const file = await packed("nchw-cf.czann", [model("nchw_seg.onnx"), ...SEG, "--classes", "Background,Nucleus", "--channels-first"]);
    const v = await czmodel("validate", file, "--run");
    expect(v.status, v.stdout).toBe(0);
  });

  it("legacy: the hint comes once, on the first shape error", async () => {
    const dir = await scratchDir("cli-validate-advice-case-");
    const r = await czmodel(
      "pack",
      model("nchw_seg.onnx"),
      "--format",
      "czmodel",
      "--border",
      "4",
      "--classes",
      "Background,Nucleus",
      "--out",
      join(dir, "m.czmodel"),
    );
    const line = expectOneLineError(r, [
      `XML: Channels: PixelType Gray16 gives 1 channel(s) but the model input has 64; ${HINT}; XML: TrainingClasses:`,
    ]);
    expect(line.split(HINT)).toHaveLength(2);
  });

  it("a channels-first model with no other shape error: an input-layout error with the hint", async () => {
    const relu = create(ModelProtoSchema, {
      irVersion: 7n,
      opsetImport: [create(OperatorSetIdProtoSchema, { domain: "", version: 12n })],
      graph: create(GraphProtoSchema, {
        name: "g",
        node: [makeNode("Relu", ["x"], ["y"], "relu")],
        input: [makeTensorValueInfo("x", DT.FLOAT, ["batch", 1, 64, 64])],
        output: [makeTensorValueInfo("y", DT.FLOAT, ["batch", 1, 64, 64])],
      }),
    });
    const onnx = join(work, "relu_nchw.onnx");
    await writeFile(onnx, encodeModel(relu));
    const dir = await scratchDir("cli-validate-advice-case-");
    const r = await czmodel("pack", onnx, "--type", "Regression", "--min-overlap", "0,0", "--out", join(dir, "m.czann"));
    expectOneLineError(r, []);
    expect(r.stderr).toBe(
      `czmodel: error: pack: ZEN would reject this model: ONNX input "x": shape [batch, 1, 64, 64] is not NHWC; ${HINT}\n`,
    );
  });

  it("regression (written with --force): pack, validate, validate --run and predict all give the hint", async () => {
    const args = [model("nchw_seg.onnx"), "--type", "Regression", "--min-overlap", "0,0", "--name", "Nchw"];
    const spatial = `output spatial size [2, 64] differs from input spatial size [1, 64]; ZEN requires output spatial size == input spatial size; ${HINT}`;
    const dir = await scratchDir("cli-validate-advice-case-");
    const refused = await czmodel("pack", ...args, "--out", join(dir, "m.czann"));
    expectOneLineError(refused, []);
    expect(refused.stderr).toBe(`czmodel: error: pack: ZEN would reject this model: model.json: OutputShape: ${spatial}\n`);

    const file = await packed("nchw-regression.czann", [...args, "--force"]);
    const run = await validateJson(file, "--run");
    expect(run.status).toBe(1);
    expect(errorsOf(run.report)).toEqual([
      { code: "output-spatial", where: "model.json: OutputShape", message: spatial },
      { code: "output-spatial", where: 'output "output"', message: spatial },
    ]);

    const p = await czmodel("predict", file, bigImage, "-o", join(dir, "out.ome.tif"));
    expectOneLineError(p, []);
    expect(p.stderr).toMatch(
      new RegExp(
        `^czmodel: error: cannot map the image's 1 sample\\(s\\) per pixel \\(gray\\) to the model's 64 input channel\\(s\\); ${HINT.replace(/[()]/g, "\\$&")} \\(allowed: `,
      ),
    );
  });
});

describe("per-image statistics", () => {
  let file: string;
  beforeAll(async () => {
    file = join(work, "stats.czann");
  });

  it("pack warns (text and --json) and still writes the file", async () => {
    const r = await czmodel("pack", model("image_stats.onnx"), ...SEG, "--classes", "Background,Nucleus", "--out", file);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*stats\.czann \(czann: SingleClassSemanticSegmentation, tile 64x64x1, id [0-9a-f-]+\)\n/);
    expect(r.stdout.split("\n").slice(1)).toEqual([`  warning: ${STATS_64}`, ""]);
    const j = parseJson<{ warnings: string[]; findings: Report["findings"] }>(
      await czmodel(
        "pack",
        model("image_stats.onnx"),
        ...SEG,
        "--classes",
        "Background,Nucleus",
        "--out",
        join(work, "stats-json.czann"),
        "--json",
      ),
    );
    expect(j.warnings).toEqual([STATS_64]);
    expect(j.findings).toEqual([{ severity: "warning", code: "image-statistics", message: STATS_64 }]);
  });

  it("validate reports a warning (exit 0)", async () => {
    const v = await czmodel("validate", file);
    expect(v.status).toBe(0);
    expect(v.stdout).toBe(`${file}: valid for zen-3.13 with 1 warning(s)\n  warning ${STATS_64}\n`);
  });

  it("predict notes it when the image takes several tiles, not when one tile covers it", async () => {
    const big = await czmodel("predict", file, bigImage, "-o", join(work, "stats-big.png"), "--json");
    expect(big.status, big.stderr).toBe(0);
    const b = parseJson<PredictJson>(big);
    expect(b.tilesPerPlane).toBeGreaterThan(1);
    expect(b.notes).toContain(`${STATS_64}: this image takes ${b.tilesPerPlane} tiles per plane`);
    const text = await czmodel("predict", file, bigImage, "-o", join(work, "stats-big-text.png"));
    expect(text.stdout).toContain(`\n  note: ${STATS_64}: this image takes ${b.tilesPerPlane} tiles per plane\n`);

    const fit = await czmodel("predict", file, fitImage, "-o", join(work, "stats-fit.png"), "--json");
    expect(fit.status, fit.stderr).toBe(0);
    const f = parseJson<PredictJson>(fit);
    expect(f.tilesPerPlane).toBe(1);
    expect(f.notes.filter((n) => n.includes("statistics"))).toEqual([]);
  });

  it("the real nuclei and kidney models hold none (their input normalisation is a fixed Add/Mul), so no warning", async () => {
    for (const name of ["simple_nuclei_segmodel.czann", "simple_kidney_regmodel.czann"]) {
      const { status, report } = await validateJson(testdata("models", name));
      expect(status).toBe(0);
      expect(
        report.findings.filter((f) => f.code === "image-statistics"),
        name,
      ).toEqual([]);
    }
  });

  it("the real nuclei network with --preprocess per-image-standardization gets the warning in pack and validate", async () => {
    const onnx = join(work, "nuclei.onnx");
    await writeFile(onnx, await zipEntry(testdata("models", "simple_nuclei_segmodel.czann"), "model.model"));
    const out = join(work, "nuclei-std.czann");
    const r = await czmodel(
      "pack",
      onnx,
      "--preprocess",
      "per-image-standardization",
      ...SEG,
      "--classes",
      "Background,Nucleus",
      "--out",
      out,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      / {2}warning: the model computes statistics per image \(ReduceMean "[^"]+" over axes \[1, 2, 3\], ReduceMean "[^"]+" over axes \[1, 2, 3\]\); ZEN computes them per tile, so images larger than the tile 1024×1024 give results that depend on the tiling\n/,
    );
    const { status, report } = await validateJson(out);
    expect(status).toBe(0);
    expect(report.findings.map((f) => f.code)).toEqual(["image-statistics"]);
  });
});
