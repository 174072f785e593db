/**
 * `czmodel pack MODEL --out FILE …`: make a ZEN model file from an ONNX file (or a SavedModel
 * folder). Metadata comes from the options; shapes are read from the (adapted) model unless
 * given. Graph adaptation options (pre/post-processing, layout, spatial dims) edit the ONNX.
 */
import { Option, type Command } from "commander";
import { basename, dirname } from "node:path";
import { adaptPayload, type ConvertOptions } from "../../convert/index.js";
import { loadModelPayload, writeArchive, type ConvertResult } from "../../convert/node/index.js";
import { lookAtOnnxFile, writeStreamedArchive } from "../../convert/node/stream-pack.js";
import { hasAdaptation } from "../../convert/options.js";
import { invalidArgument } from "../../errors.js";
import {
  COLOR_HANDLINGS,
  LegacyModelMetadata,
  MODEL_TYPES,
  ModelMetadata,
  PIXEL_TYPES,
  type ColorHandling,
  type ModelType,
  type PixelType,
} from "../../metadata/index.js";
import { summarizeOnnx, operationsHelp, parseInputCast, type InputCastType } from "../../onnx/index.js";
import { channelsFirstHint } from "../../onnx/layout-guess.js";
import { DEFAULT_TARGET, TARGETS, type Target } from "../../validate/targets.js";
import { intList, nameList, numberList, oneOf } from "../args.js";
import { printJson, printLines } from "../output.js";

export interface PackCliOptions {
  out?: string;
  overwrite?: boolean;
  format?: "czann" | "czmodel";
  type?: ModelType;
  classes?: string[];
  minOverlap?: number[];
  border?: number[];
  name?: string;
  scaling?: number[];
  id?: string;
  inputShape?: number[];
  outputShape?: number[];
  pixelType?: string[];
  colorHandling?: ColorHandling;
  license?: string;
  channelsFirst?: boolean;
  spatialDims?: number[];
  preprocess?: string;
  postprocess?: string;
  inputCast?: InputCastType;
  target: Target;
  force?: boolean;
  json?: boolean;
}

/** The adaptation/validation options shared by `pack`, `convert` and `savedmodel2czmodel`. */
export function addAdaptationOptions(cmd: Command): Command {
  return cmd
    .option("--channels-first", "the model is channels-first (NCHW): wrap it in Transposes so the file is NHWC")
    .option(
      "--spatial-dims <h,w>",
      "fix the tile size of a model with dynamic spatial dims (proved by running it at two sizes)",
      intList("--spatial-dims", { min: 1, count: [2, 3] }),
    )
    .option("--preprocess <ops>", "pre-processing ops prepended to the graph, e.g. rgb-to-bgr,per-image-standardization (see --help)")
    .option("--postprocess <ops>", "post-processing ops appended to the graph, e.g. softmax")
    .option("--input-cast <type>", "make the input uint8 or uint16 and cast it to float32 inside the model", (t: string) =>
      parseInputCast(t),
    )
    .option("--target <zen>", `ZEN version to validate against (${TARGETS.join(", ")})`, oneOf(TARGETS), DEFAULT_TARGET)
    .option(
      "--force",
      "write the file even when validation finds errors, and apply --channels-first even to a model that looks channels-last",
    );
}

export function convertOptionsFrom(o: {
  channelsFirst?: boolean;
  spatialDims?: number[];
  preprocess?: string;
  postprocess?: string;
  inputCast?: InputCastType;
  target?: Target;
  force?: boolean;
}): ConvertOptions {
  return {
    ...(o.channelsFirst ? { channelsFirst: true } : {}),
    ...(o.spatialDims ? { spatialDims: o.spatialDims } : {}),
    ...(o.preprocess ? { preprocessing: o.preprocess } : {}),
    ...(o.postprocess ? { postprocessing: o.postprocess } : {}),
    ...(o.inputCast ? { inputCast: o.inputCast } : {}),
    ...(o.target ? { target: o.target } : {}),
    ...(o.force ? { force: true } : {}),
  };
}

export function registerPack(program: Command): void {
  const cmd = program
    .command("pack")
    .description("pack an ONNX model (or a TensorFlow SavedModel folder) into a .czann or .czmodel for ZEN")
    .argument("<model>", ".onnx file or SavedModel folder")
    .requiredOption("-o, --out <file>", "output file (.czann, .czmodel or .czseg; the extension is added when missing)")
    .addOption(new Option("--format <format>", "output format (default: from --out's extension, else czann)").choices(["czann", "czmodel"]))
    .addOption(new Option("--type <type>", "CZANN model type").choices(MODEL_TYPES as unknown as string[]))
    .option("--classes <names>", "class names, one per output channel, e.g. Background,Nucleus", nameList)
    .option("--min-overlap <n,n>", "CZANN: total overlap between tiles, one even value per spatial dim", intList("--min-overlap"))
    .option("--border <n>", "legacy: context pixels per tile side (default: MinOverlap / 2)", intList("--border", { count: [1] }))
    .option("--name <name>", "model name shown in ZEN")
    .option("--scaling <x,y>", "CZANN: pixel size of the training data in metres, e.g. 6.5e-7,6.5e-7", numberList("--scaling", 2))
    .option("--id <uuid>", "model id (default: a new random UUID)")
    .option("--input-shape <h,w,c>", "CZANN InputShape (default: read from the model)", intList("--input-shape", { min: 1, count: [3, 4] }))
    .option(
      "--output-shape <h,w,k>",
      "CZANN OutputShape (default: read from the model)",
      intList("--output-shape", { min: 1, count: [3, 4] }),
    )
    .option("--pixel-type <types>", `legacy: input pixel type(s) (${PIXEL_TYPES.join(", ")}); default from the channel count`, nameList)
    .addOption(
      new Option("--color-handling <mode>", "legacy: colour handling (default SplitRgb)").choices(COLOR_HANDLINGS as unknown as string[]),
    )
    .option("--license <file>", "licence file packed next to the model")
    .option("--overwrite", "replace an existing output file (never one of the inputs)")
    .option("--json", "print the result as JSON")
    .option("--debug", "show stack traces on errors");
  addAdaptationOptions(cmd)
    .addHelpText(
      "after",
      `\nExamples:\n  czmodel pack unet.onnx --type SingleClassSemanticSegmentation --classes Background,Nucleus --min-overlap 16,16 --out nuclei.czann\n  czmodel pack unet.onnx --channels-first --spatial-dims 512,512 --preprocess rgb-to-bgr,per-image-standardization \\\n      --postprocess softmax --type SingleClassSemanticSegmentation --classes Background,Cell,Border --min-overlap 32,32 --out cells.czann\n  czmodel pack unet.onnx --format czmodel --classes Background,Nucleus --border 8 --pixel-type Gray16 --out nuclei.czmodel\n\n${operationsHelp()}`,
    )
    .action(async (model: string, opts: PackCliOptions) => {
      const result = await pack(model, opts);
      if (opts.json) printJson(packJson(result));
      else printLines(packText(result));
    });
}

function formatFor(out: string, explicit?: "czann" | "czmodel"): "czann" | "czmodel" {
  if (explicit) return explicit;
  return /\.(czmodel|czseg)$/i.test(out) ? "czmodel" : "czann";
}

type Dims = (number | string | null)[];
const isFixed = (d: number | string | null | undefined): d is number => typeof d === "number" && d > 0;

/** InputShape / OutputShape from the model's NHWC dims; errors add the --channels-first hint when the dims look NCHW. */
function shapeFromModel(dims: Dims | undefined, what: string, fallbackSpatial?: number[]): number[] {
  const hint = channelsFirstHint(dims);
  if (!dims || dims.length < 4)
    throw invalidArgument(`the model's ${what} is not NHWC (shape ${JSON.stringify(dims)})${hint}`, {
      where: "model",
      allowed: "pack with --channels-first for NCHW models",
    });
  return dims.slice(1).map((d, i, all) => {
    if (isFixed(d)) return d;
    const spatial = i < all.length - 1;
    const fb = spatial ? fallbackSpatial?.[i] : undefined;
    if (fb !== undefined) return fb;
    throw invalidArgument(`the model's ${what} dim ${i + 1} is dynamic (${d ?? "?"})${hint}`, {
      where: "model",
      allowed: spatial ? "fix it with --spatial-dims H,W (or give --input-shape / --output-shape)" : `give --${what}-shape`,
    });
  });
}

async function pack(model: string, o: PackCliOptions): Promise<ConvertResult> {
  const out = o.out!;
  if (/[\\/]$/.test(out) || basename(out) === "" || basename(out) === "." || basename(out) === "..") {
    // basename("out/") is "out": without this check the file would land next to the folder as out.czann
    throw invalidArgument(`"${out}" names a folder, not a file`, {
      where: "--out",
      allowed: "a file path such as out/model.czann (the folder is created)",
    });
  }
  const format = formatFor(out, o.format);
  const options = { ...convertOptionsFrom(o), existing: o.overwrite ? "replace" : "refuse" } as const;
  // an ONNX file that needs no graph edit is streamed: looked at and copied, never loaded
  const look = hasAdaptation(options) ? undefined : await lookAtOnnxFile(model);
  const payload = look ? undefined : await loadModelPayload(model);
  const adapted = payload ? adaptPayload(payload, options) : undefined;
  let inputShape = o.inputShape;
  let outputShape = o.outputShape;
  if ((look || payload?.kind === "onnx") && (!inputShape || !outputShape)) {
    const summary = look?.facts.onnx ?? summarizeOnnx(adapted!.bytes);
    inputShape ??= shapeFromModel(summary.inputs[0]?.shape, "input");
    outputShape ??= shapeFromModel(summary.outputs[0]?.shape, "output", inputShape.slice(0, -1));
  }
  const outDir = dirname(out);
  const outName = basename(out);
  let metadata: ModelMetadata | LegacyModelMetadata;
  if (format === "czann") {
    if (!o.type) throw invalidArgument("--type is required for a .czann", { where: "pack", allowed: MODEL_TYPES.join(", ") });
    if (!inputShape || !outputShape) throw invalidArgument("a SavedModel needs --input-shape and --output-shape", { where: "pack" });
    metadata = ModelMetadata.fromParams(
      {
        ...(o.id ? { id: o.id } : {}),
        type: o.type,
        inputShape,
        outputShape,
        ...(o.minOverlap ? { minOverlap: o.minOverlap } : {}),
        ...(o.classes ? { classes: o.classes } : {}),
        ...(o.name ? { modelName: o.name } : {}),
        ...(o.scaling ? { scaling: [o.scaling[0]!, o.scaling[1]!] as [number, number] } : {}),
      },
      "pack options",
    );
  } else {
    if (!o.classes)
      throw invalidArgument("--classes is required for a .czmodel", {
        where: "pack",
        allowed: "comma-separated class names, e.g. Background,Nucleus",
      });
    const channels = inputShape?.[inputShape.length - 1] ?? 1;
    const pixelTypes = (o.pixelType ?? [channels === 3 ? "Bgr24" : channels === 4 ? "Bgra32" : "Gray16"]).map((p) => {
      if (!(PIXEL_TYPES as readonly string[]).includes(p))
        throw invalidArgument(`unknown pixel type "${p}"`, { where: "--pixel-type", allowed: PIXEL_TYPES.join(", ") });
      return p as PixelType;
    });
    const border = o.border?.[0] ?? (o.minOverlap ? Math.max(...o.minOverlap) / 2 : undefined);
    // czmodel always writes BorderSize; a file without it reads as ZEN-made and cannot be tiled without a user value
    if (border === undefined)
      throw invalidArgument("--border is required for a .czmodel", {
        where: "pack",
        allowed: "--border N (context pixels per tile side), or --min-overlap N,N (BorderSize = N / 2)",
      });
    metadata = LegacyModelMetadata.fromParams(
      {
        ...(o.id ? { id: o.id } : {}),
        modelName: o.name ?? basename(model).replace(/\.onnx$/i, ""),
        colorHandling: o.colorHandling ?? "SplitRgb",
        pixelTypes,
        classes: o.classes,
        borderSize: border,
      },
      "pack options",
    );
  }
  if (look) return writeStreamedArchive(look, metadata, o.license ?? null, outDir, outName, options, "pack", [model]);
  return writeArchive(payload!, metadata, o.license ?? null, outDir, outName, options, [], adapted, "pack", [model]);
}

export function packJson(r: ConvertResult): Record<string, unknown> {
  return {
    ok: true,
    path: r.path,
    format: r.format,
    metadata: r.metadata instanceof ModelMetadata ? r.metadata.toJson({ includeExtra: true }) : { xml: r.metadata.toXml() },
    steps: r.steps,
    warnings: r.warnings,
    findings: r.report.findings,
  };
}

export function packText(r: ConvertResult): string[] {
  const m = r.metadata;
  const what =
    m instanceof ModelMetadata
      ? `${m.type}, tile ${m.inputShape.join("x")}`
      : `legacy, ${m.classes.length} classes, border ${m.borderSize ?? "none"}`;
  return [
    `wrote ${r.path} (${r.format}: ${what}, id ${m.id})`,
    ...r.steps.map((s) => `  edit: ${s}`),
    ...r.report.findings.filter((f) => f.severity !== "info").map((f) => `  ${f.severity}: ${f.where ? `${f.where}: ` : ""}${f.message}`),
    ...r.warnings.filter((w) => !r.report.findings.some((f) => f.message === w)).map((w) => `  warning: ${w}`),
  ];
}
