/**
 * One-call file APIs (Node) that the CLI commands are thin wrappers of:
 * `validateFile` (structural + optional numeric check) and `predictFile` (model file + image
 * file → output file(s), streaming, atomic; a bioimage.io package instead of a model file runs
 * with the package's own semantics, see src/bioimageio/predict-package.ts).
 * What only a numeric run or a prediction needs (onnxruntime, the image readers and writers,
 * the package runner) is imported when first used, so `inspect` and `validate` start fast.
 */
import type { PackageRunSummary } from "./bioimageio/predict-package.js";
import type { FilePredictResult, PredictFileOptions } from "./engine/node/predict-file-types.js";
import { invalidArgument } from "./errors.js";
import { lookAtModelFile } from "./inspect/node/look-file.js";
import type { ValidationReport } from "./validate/findings.js";
import { validateModel } from "./validate/model.js";
import type { NumericValidationResult } from "./validate/numeric.js";
import type { Target } from "./validate/targets.js";

export { lookAtModelFile };

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
  const [{ readModelFile }, { tileFromImage }, { nodeRun }] = await Promise.all([
    import("./container/node/index.js"),
    import("./engine/node/centre-tile.js"),
    import("./validate/node/index.js"),
  ]);
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

/** Run a model file on an image file and write the result; nothing is left behind on failure. */
export async function predictFile(
  modelPath: string,
  imagePath: string,
  outPath: string,
  options: PredictFileOptions = {},
): Promise<PredictFileResult> {
  const { isPackagePath, predictPackageFile } = await import("./bioimageio/node/predict-file.js");
  if (await isPackagePath(modelPath)) {
    if (options.objects)
      throw invalidArgument("objects need a ZEN segmentation model's labels, not a bioimage.io package's output", { where: modelPath });
    return predictPackageFile(modelPath, imagePath, outPath, options);
  }
  const { predictModelFile } = await import("./engine/node/predict-model-file.js");
  return predictModelFile(modelPath, imagePath, outPath, options);
}
