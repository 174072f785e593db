/**
 * One-call file APIs (Node) that the CLI commands are thin wrappers of:
 * `validateFile` (structural + optional numeric check) and `predictFile` (model file + image
 * file → output file(s), streaming, atomic; a bioimage.io package instead of a model file runs
 * with the package's own semantics, see src/bioimageio/predict-package.ts).
 */
import { isPackagePath, predictPackageFile } from "./bioimageio/node/predict-file.js";
import type { PackageRunSummary } from "./bioimageio/predict-package.js";
import { readModelFile } from "./container/node/index.js";
import { NODE_ZIP_CODEC, openZipSource } from "./container/node/zip-file.js";
import { lookAtModel, type LookOptions, type ModelLook } from "./inspect/look.js";
import { removeStaleTemps } from "./bytes/node/atomic.js";
import { engineModelFromFile } from "./engine/from-model-file.js";
import { predictNode } from "./engine/node/index.js";
import type { SinkPair } from "./engine/index.js";
import { invalidArgument } from "./errors.js";
import { createImageFileSink } from "./io/node/create-sink.js";
import { openImageFile } from "./io/node/open-file.js";
import { openOptionsForPlanes } from "./io/open.js";
import type { FilePredictResult, PredictFileOptions } from "./engine/node/predict-file-types.js";
import type { ImageSink } from "./io/types.js";
import { tileFromImage } from "./engine/node/centre-tile.js";
import type { ValidationReport } from "./validate/findings.js";
import { validateModel } from "./validate/model.js";
import { nodeRun } from "./validate/node/index.js";
import type { NumericValidationResult } from "./validate/numeric.js";
import type { Target } from "./validate/targets.js";

export interface ValidateFileOptions {
  target?: Target;
  /** Also run the model on one tile and check the output numerically. */
  run?: boolean;
  /** With `run`: cut the tile from this image (default: a synthetic tile). */
  image?: string;
}

export interface FileValidationReport extends ValidationReport {
  format: "czann" | "czmodel";
  numeric?: Pick<NumericValidationResult, "timing" | "memory" | "output">;
}

/** Metadata, entries and payload facts of a model file, without loading its weights (`inspect`). */
export async function lookAtModelFile(path: string, options: Pick<LookOptions, "rangedFrom"> = {}): Promise<ModelLook> {
  return lookAtModel(await openZipSource(path), { ...options, codec: NODE_ZIP_CODEC, path });
}

/**
 * Validate a model file against ZEN's rules (and numerically with `run`). Without `run` or
 * `image` the payload is looked at, not loaded (`lookAtModelFile`).
 */
export async function validateFile(path: string, options: ValidateFileOptions = {}): Promise<FileValidationReport> {
  const { target, run, image } = options;
  if (!run && !image) {
    const look = await lookAtModelFile(path);
    const { head } = look;
    const file = { metadata: head.metadata, modelBytes: new Uint8Array(0), payloadKind: look.payloadKind, warnings: head.warnings, path };
    const { payload: _payload, ...report } = validateModel(file, { target, payload: look.payload });
    return { format: head.format, ...report };
  }
  const model = await readModelFile(path);
  // the engine cuts the image tile; validation only runs it (nothing to cut for a non-ONNX payload)
  const input = image && model.payloadKind === "onnx" ? await tileFromImage(model, image) : undefined;
  const { payload: _payload, numeric, ...report } = await validateModel(model, { target, run: nodeRun(input ? { input } : {}) });
  return {
    format: model.format,
    ...report,
    ...(numeric ? { numeric: { timing: numeric.timing, memory: numeric.memory, output: numeric.output } } : {}),
  };
}

export type { PredictFileOptions } from "./engine/node/predict-file-types.js";

export interface PredictFileResult extends FilePredictResult {
  /** A bioimage.io package run: its ops and the statistics used per sample. */
  package?: PackageRunSummary;
}

/** out.ome.tif → out.probabilities.ome.tif (the second output of `output: "both"`). */
function probabilitiesPath(out: string): string {
  const m = /(\.ome\.tiff?|\.ome\.zarr|\.[^./\\]+)$/i.exec(out);
  return m ? `${out.slice(0, m.index)}.probabilities${m[1]}` : `${out}.probabilities`;
}

/** Run a model file on an image file and write the result; nothing is left behind on failure. */
export async function predictFile(
  modelPath: string,
  imagePath: string,
  outPath: string,
  options: PredictFileOptions = {},
): Promise<PredictFileResult> {
  if (await isPackagePath(modelPath)) {
    if (options.objects)
      throw invalidArgument("objects need a ZEN segmentation model's labels, not a bioimage.io package's output", { where: modelPath });
    return predictPackageFile(modelPath, imagePath, outPath, options);
  }
  const file = await readModelFile(modelPath);
  const { model, borderMissing, warnings: modelWarnings } = engineModelFromFile(file, modelPath);
  const warnings = [...modelWarnings];
  if (borderMissing && file.format === "czmodel" && options.border === undefined) {
    throw invalidArgument("the model file names no BorderSize", {
      where: modelPath,
      allowed: "give the border per tile side (--border N)",
    });
  }
  const { overwrite = false, probabilitiesOut, creator, openOptions, compression = "auto", pyramid = "auto", ...predictOptions } = options;
  if (!["auto", "deflate", "none"].includes(compression)) {
    throw invalidArgument(`compression '${compression}' is not known`, { where: "--compression", allowed: "auto, deflate, none" });
  }
  const compress = compression === "auto" ? "auto" : compression === "deflate";
  const both = options.output === "both" && model.kind === "segmentation";
  const files = both ? [outPath, probabilitiesOut ?? probabilitiesPath(outPath)] : [outPath];
  for (const f of files)
    for (const name of await removeStaleTemps(f)) warnings.push(`removed ${name}, a temp output that a killed run left behind`);
  const source = await openImageFile(imagePath, openOptionsForPlanes(openOptions, predictOptions.planes));
  const sinks: ImageSink[] = [];
  try {
    for (const f of files)
      sinks.push(
        await createImageFileSink(f, {
          overwrite,
          compress,
          imageName: model.name,
          ...(creator ? { creator } : {}),
          pyramid,
        }),
      );
    const sink: ImageSink | SinkPair = both ? { labels: sinks[0]!, probabilities: sinks[1]! } : sinks[0]!;
    const result = await predictNode(model, source, sink, {
      ...predictOptions,
      output: model.kind === "segmentation" ? (options.output ?? "labels") : "labels",
    });
    return { ...result, files, warnings };
  } catch (e) {
    // predict aborts the sinks it was given; this also covers a failure before it started
    await Promise.all(sinks.map((s) => s.abort().catch(() => undefined)));
    throw e;
  } finally {
    await source.close();
  }
}
