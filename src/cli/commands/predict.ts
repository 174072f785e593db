/**
 * `czmodel predict MODEL IMAGE -o OUT …`: run a model over an image of any size the way ZEN
 * Intellesis does (tiles with borders, crop-and-place), streaming from the input file to the
 * output file. MODEL may also be a bioimage.io package, run with the package's own semantics
 * (src/bioimageio/predict-package.ts). Progress bar on a TTY; Ctrl-C or an error leaves no
 * partial output.
 */
import { Option, type Command } from "commander";
import { cancelled, invalidArgument } from "../../errors.js";
import { OUTPUT_EXTENSIONS } from "../../io/node/create-sink.js";
import { planShardFile, predictShardFile, type ShardFileOptions, type ShardRunResult } from "../../engine/node/shards.js";
import { allUnits, parseShard, type Shard } from "../../engine/units.js";
import { CUDA_NOT_INSTALLED, DEVICES, type Device } from "../../engine/node/device.js";
import { predictFile, type PredictFileOptions, type PredictFileResult } from "../../node-api.js";
import { defaultThreads } from "../../engine/node/session-options.js";
import type { ObjectsFileResult } from "../../objects/node/objects-file.js";
import type { PredictObjectsOptions } from "../../objects/predict-tee.js";
import { OPTION_LIMITS, positiveInt } from "../args.js";
import { addRunOptions, type RunCliOptions, runOptionsFrom } from "../run-options.js";
import { printJson, printLines } from "../output.js";
import { createProgress, formatDuration } from "../progress.js";
import { VERSION } from "../version.js";
import {
  addObjectOptions,
  checkObjectsBeforePredict,
  objectsAfterPredict,
  objectsAfterwards,
  objectsText,
  predictWithObjects,
  wantsObjects,
  type ObjectCliOptions,
} from "./objects.js";

interface PredictCliOptions extends RunCliOptions, ObjectCliOptions {
  out: string;
  blend: "none" | "linear" | "gaussian";
  threads?: number;
  device?: Device;
  overwrite?: boolean;
  pyramid?: boolean;
  json?: boolean;
  quiet?: boolean;
  shard?: Shard;
  plan?: boolean;
  unitSize?: number;
}

const PACKAGE_HELP = `
bioimage.io packages (MODEL is a folder, a .zip, or a .yaml description; ONNX weights, SHA-256 checked):
  The package runs with its own semantics, not ZEN's: raw intensities (no /255 or /65535) in the
  image's channel order, its pre-/post-processing steps, tiles of a valid input size (--tile to
  pick another), border = the output's halo, and its output channels written as float32 under
  their names. Per-sample statistics (zero_mean_unit_variance, scale_range, clip with
  percentiles) are computed over the whole plane in a streaming first pass, never per tile, then
  fixed into the graph: mean and population std in float64; percentiles as numpy's linear
  np.percentile, exact (8/16-bit: a 65536-bin histogram per channel; float: two passes over the
  float32 bit patterns). Steps before a statistics step (scale_linear, fixed mean/std, clip,
  sigmoid, binarize) are applied in the pass, so the statistics are those of the tensor at that
  step. Each plane (z, t, C group, scene) is one sample with its own statistics: one model run
  per plane. Refused in one line: per_dataset statistics, statistics of another tensor, statistics
  steps in the output's post-processing (they would need a second model pass), a per-channel
  percentile clip of several channels, packages without ONNX weights or with several tensors.
  --json adds "package": the ops and, per plane, the statistics used.`;

export function registerPredict(program: Command): void {
  const command = program
    .command("predict")
    .description("run a model on an image of any size, tile by tile like ZEN, streaming to the output file")
    .argument("<model>", ".czann, .czmodel or .czseg file, or a bioimage.io package (folder, .zip, or its rdf.yaml / bioimageio.yaml)")
    .argument("<image>", "PNG, TIFF / BigTIFF / OME-TIFF, CZI, or an OME-Zarr folder")
    .requiredOption("-o, --out <file>", `output file (${OUTPUT_EXTENSIONS})`);
  addRunOptions(
    command,
    ["labels", "probabilities", "both"],
    "segmentation: class labels, per-class probabilities, or both (both: a second file NAME.probabilities.EXT)",
  )
    .addOption(
      new Option("--blend <mode>", "stitching: none = crop-and-place like ZEN; linear / gaussian = weighted blending of overlaps")
        .choices(["none", "linear", "gaussian"])
        .default("none"),
    )
    .option(
      "--threads <n>",
      `onnxruntime threads (1..${OPTION_LIMITS.threads}; default: every core, ${defaultThreads()} here)`,
      positiveInt(OPTION_LIMITS.threads),
    )
    .addOption(
      new Option(
        "--device <d>",
        "onnxruntime execution provider: auto (default) = CUDA when its provider loads, else the CPU; cpu; cuda; webgpu (experimental; see docs/gpu.md)",
      ).choices(DEVICES),
    )
    .option("--overwrite", "replace an existing output (never one of the inputs)")
    .option(
      "--pyramid",
      "OME-TIFF/OME-Zarr output: add 2x levels down to <= 1024 px per side (SubIFDs / NGFF multiscales; labels by top-left pixel, the rest averaged). Default: on over 4096 px per side, except with --shard",
    )
    .option("--no-pyramid", "full resolution only")
    .option(
      "--shard <K/N>",
      "run only shard K (0-based) of N of the work units into a shared OME-Zarr output; then `czmodel finalize OUT`",
      parseShard,
    )
    .option("--plan", "print the work units as JSON and run nothing")
    .option(
      "--unit-size <px>",
      `work unit edge per plane for --shard / --plan, rounded to whole tiles (1..${OPTION_LIMITS.unitSize}; default 8192)`,
      positiveInt(OPTION_LIMITS.unitSize),
    );
  addObjectOptions(command)
    .option("--json", "print a JSON summary at the end")
    .option("--quiet", "no progress bar")
    .option("--debug", "show stack traces on errors")
    .addHelpText(
      "after",
      "\nExamples:\n  czmodel predict nuclei.czann nuclei.png -o labels.png\n  czmodel predict nuclei.czann big.ome.tif -o labels.ome.tif --output both --min-confidence 0.6\n  czmodel predict denoise.czann stack.czi -o denoised.ome.zarr --plane z=0-4 --threads 2\n  czmodel predict unet2d_nuclei_broad/ big.ome.tif -o probability.ome.tif --json\n" +
        "  czmodel predict nuclei.czann big.czi -o labels.ome.zarr --plan\n" +
        "  czmodel predict nuclei.czann big.czi -o labels.ome.zarr --shard 0/4   # … through 3/4, any order, any machine\n" +
        "  czmodel finalize labels.ome.zarr\n" +
        PACKAGE_HELP,
    )
    .action(async (modelPath: string, imagePath: string, opts: PredictCliOptions) => {
      const objects = wantsObjects(opts);
      if (opts.shard || opts.plan || opts.unitSize !== undefined) {
        if (objects)
          throw invalidArgument(
            "--objects, --outlines and --instances need the whole label image in one run; run `czmodel objects` on the finished output",
          );
        return runSharded(modelPath, imagePath, opts);
      }
      const classes = objects ? await checkObjectsBeforePredict(modelPath, imagePath, opts) : undefined;
      let result: PredictFileResult;
      let measured: ObjectsFileResult | undefined;
      if (!objects) result = await runPredict(modelPath, imagePath, opts);
      else if (objectsAfterwards(opts)) {
        result = await runPredict(modelPath, imagePath, opts);
        measured = await objectsAfterPredict(result.files, imagePath, opts, classes);
      } else ({ result, measured } = await predictWithObjects(opts, classes, (o) => runPredict(modelPath, imagePath, opts, o)));
      const fallback = result.deviceFallback;
      // a plain CPU install stays quiet unless --device auto was asked for
      if (fallback && (opts.device === "auto" || fallback !== CUDA_NOT_INSTALLED))
        process.stderr.write(`note: running on the CPU: ${fallback}\n`);
      // `files`: every file the run wrote, the object outputs included (also under objects.outputs)
      if (opts.json)
        printJson({ ok: true, ...result, ...(measured ? { files: [...result.files, ...measured.outputs], objects: measured } : {}) });
      else printLines([...predictText(result), ...(measured ? objectsText(measured) : [])]);
    });
}

/** The options `predict` and a sharded run share. */
function runOptions(opts: PredictCliOptions): PredictFileOptions & ShardFileOptions {
  return {
    ...runOptionsFrom(opts),
    creator: `czmodel ${VERSION}`,
    blend: opts.blend,
    ...(opts.threads ? { threads: opts.threads } : {}),
    ...(opts.device ? { device: opts.device } : {}),
  };
}

/** `--plan` (the units as JSON) or `--shard K/N` (run shard K's units). */
async function runSharded(modelPath: string, imagePath: string, opts: PredictCliOptions): Promise<void> {
  if (opts.overwrite) throw invalidArgument("shards share one output; --overwrite cannot be used with them", { where: "--overwrite" });
  if (opts.pyramid) throw invalidArgument("shards write full resolution only; --pyramid cannot be used with them", { where: "--pyramid" });
  const options: ShardFileOptions = { ...runOptions(opts), ...(opts.unitSize !== undefined ? { unitSize: opts.unitSize } : {}) };
  if (!opts.shard) {
    if (!opts.plan) throw invalidArgument("--unit-size needs --shard K/N or --plan", { where: "--unit-size" });
    const state = await planShardFile(modelPath, imagePath, opts.out, options);
    const { plan, units } = state;
    printJson({
      ok: true,
      out: opts.out,
      tile: plan.tile,
      border: plan.border,
      tilesPerPlane: plan.tilesPerPlane,
      ...units,
      units: allUnits(plan, units),
    });
    return;
  }
  if (opts.plan) throw invalidArgument("--plan runs nothing; leave out --shard", { where: "--plan" });
  const result = await predictShardFile(modelPath, imagePath, opts.out, opts.shard, {
    ...options,
    ...(opts.quiet || opts.json ? {} : { onUnit: (u, done, total) => process.stderr.write(`unit ${u.index} done (${done}/${total})\n`) }),
  });
  if (opts.json) printJson({ ok: true, ...shardSummary(result) });
  else printLines(shardText(result));
}

function shardSummary(r: ShardRunResult) {
  return { out: r.out, shard: `${r.shard.index}/${r.shard.count}`, units: r.units, unitsTotal: r.unitsTotal, tiles: r.tiles };
}

function shardText(r: ShardRunResult): string[] {
  return [
    `shard ${r.shard.index}/${r.shard.count}: ${r.units.length} of ${r.unitsTotal} units (${r.tiles} tiles) written to ${r.out}`,
    `  when every shard is done: czmodel finalize ${r.out}`,
  ];
}

async function runPredict(
  modelPath: string,
  imagePath: string,
  opts: PredictCliOptions,
  objects?: PredictObjectsOptions,
): Promise<PredictFileResult> {
  const controller = new AbortController();
  const onSigint = () => controller.abort(cancelled("interrupted (Ctrl-C); no output was written"));
  process.once("SIGINT", onSigint);
  const progress = createProgress("predict", opts);
  try {
    return await predictFile(modelPath, imagePath, opts.out, {
      ...runOptions(opts),
      overwrite: Boolean(opts.overwrite),
      ...(opts.pyramid !== undefined ? { pyramid: opts.pyramid } : {}),
      ...(objects ? { objects } : {}),
      signal: controller.signal,
      onProgress: (p) =>
        progress.update(p.tilesDone, p.tilesTotal, { rate: `${p.megapixelsPerSecond.toFixed(2)} MP/s`, eta: formatDuration(p.etaMs) }),
    });
  } finally {
    progress.stop();
    process.removeListener("SIGINT", onSigint);
  }
}

function packageText(p: NonNullable<PredictFileResult["package"]>): string[] {
  const lines = [`  package ${p.name} (format ${p.formatVersion}): ${[...p.preprocessing, "model", ...p.postprocessing].join(" → ")}`];
  for (const s of p.samples) {
    const plane = p.samples.length > 1 ? ` (plane z=${s.plane.z} t=${s.plane.t} c=${s.plane.c} scene=${s.plane.scene})` : "";
    for (const st of s.statistics) {
      const values = Object.entries(st.values)
        .map(([k, v]) => `${k} ${v.map((x) => Number(x.toPrecision(7))).join(", ")}`)
        .join("; ");
      lines.push(`  statistics${plane}: ${st.step} ${st.scope}: ${values}`);
    }
  }
  if (p.statisticsMethod) lines.push(`  statistics: ${p.statisticsMethod} (${formatDuration(p.statisticsMs)})`);
  return lines;
}

function predictText(r: PredictFileResult): string[] {
  return [
    `wrote ${r.files.join(" and ")} (${r.outputs.map((o) => `${o.kind}, ${o.width}x${o.height}, ${o.samplesPerPixel} x ${o.sampleType}`).join("; ")})`,
    `  model ${r.model.name} (${r.model.kind}); tile ${r.tile.join("x")}, border ${r.border.join("/")}, ${r.tiles} tiles in ${r.batches} batches of up to ${r.batchSize}`,
    `  input: ${r.channelMapping}; ${r.inputScaling}`,
    `  ${r.megapixels.toFixed(2)} MP in ${formatDuration(r.elapsedMs)} (${r.megapixelsPerSecond.toFixed(2)} MP/s)${r.device ? ` on ${r.device}` : ""}`,
    ...(r.package ? packageText(r.package) : []),
    ...r.notes.map((n) => `  note: ${n}`),
    ...r.warnings.map((w) => `  warning: ${w}`),
  ];
}
