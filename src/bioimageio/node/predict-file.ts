/**
 * `predictFile` for bioimage.io packages in Node: what predict's MODEL argument names is a
 * package when it is a folder, a `.zip`, or a `.yaml` / `.yml` description (a `.czann`,
 * `.czmodel` or `.czseg` stays a ZEN model file). The package and its ONNX weights (SHA-256
 * checked) are read and the run planned before the image is opened or the output created, so
 * a package that cannot run leaves nothing behind; the output is written atomically by the
 * ordinary file sinks. Options that only mean something for ZEN models (intensity scaling,
 * label outputs, confidence) are refused in one line. Node-only.
 */
import { stat } from "node:fs/promises";
import { predictNode } from "../../engine/node/index.js";
import { invalidArgument } from "../../errors.js";
import { refuseInputAsOutput } from "../../bytes/node/same-file.js";
import { createImageFileSink } from "../../io/node/create-sink.js";
import { openImageFile } from "../../io/node/open-file.js";
import { openOptionsForPlanes } from "../../io/open.js";
import type { FilePredictResult, PredictFileOptions } from "../../engine/node/predict-file-types.js";
import { MAX_WEIGHTS_BYTES, readChecked } from "../package.js";
import { noOnnxWeights } from "../import.js";
import { predictPackage, preparePackage, type PackagePredictResult } from "../predict-package.js";
import { requireSingleTensors } from "../to-zen.js";
import { openPackage } from "./open-package.js";

/** Whether predict's MODEL argument names a bioimage.io package rather than a ZEN model file. */
export async function isPackagePath(path: string): Promise<boolean> {
  if (/\.(czann|czmodel|czseg)$/i.test(path)) return false;
  if (/\.(ya?ml|zip)$/i.test(path)) return true;
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

export type PackageFileResult = FilePredictResult & Pick<PackagePredictResult, "package">;

function refuseZenOptions(options: PredictFileOptions): void {
  const refuse = (where: string, why: string) => {
    throw invalidArgument(`${why}; a bioimage.io package gets raw intensities and writes its own output channels`, { where });
  };
  if (options.output === "both" || options.output === "probabilities")
    refuse(`--output ${options.output}`, "is for ZEN segmentation models");
  if (options.minConfidence !== undefined) refuse("--min-confidence", "is for ZEN segmentation labels");
  if (options.rescale === "on") refuse("--rescale on", "scales intensities to [0, 1] as ZEN does");
  if (options.intensityRange !== undefined) refuse("--intensity-range", "scales intensities to [0, 1] as ZEN does");
}

/** Run a bioimage.io package on an image file and write its output; nothing is left behind on failure. */
export async function predictPackageFile(
  packagePath: string,
  imagePath: string,
  outPath: string,
  options: PredictFileOptions = {},
): Promise<PackageFileResult> {
  refuseZenOptions(options);
  const { overwrite = false, creator, openOptions, compression = "auto", pyramid = "auto" } = options;
  if (!["auto", "deflate", "none"].includes(compression)) {
    throw invalidArgument(`compression '${compression}' is not known`, { where: "--compression", allowed: "auto, deflate, none" });
  }
  const pkg = await openPackage(packagePath);
  const desc = pkg.description;
  const where = `${pkg.files.where}: ${pkg.files.rdfName}`;
  requireSingleTensors(desc, where);
  const weights = desc.weights.onnx;
  if (!weights) throw noOnnxWeights(desc, where);
  const onnx = await readChecked(pkg, weights, "weights.onnx", MAX_WEIGHTS_BYTES);
  const prepared = preparePackage(
    { description: desc, where, onnx, onnxWhere: `${pkg.files.where}: ${weights.source}` },
    options.tile ? { tile: options.tile } : {},
  );

  await refuseInputAsOutput(outPath, [packagePath, imagePath]);
  const source = await openImageFile(imagePath, openOptionsForPlanes(openOptions, options.planes));
  try {
    const sink = await createImageFileSink(outPath, {
      overwrite,
      compress: compression === "auto" ? "auto" : compression === "deflate",
      imageName: desc.name,
      ...(creator ? { creator } : {}),
      pyramid,
    });
    const result = await predictPackage(
      prepared,
      source,
      sink,
      {
        ...(options.border !== undefined ? { border: options.border } : {}),
        ...(options.blend ? { blend: options.blend } : {}),
        ...(options.batch ? { batch: options.batch } : {}),
        ...(options.threads ? { threads: options.threads } : {}),
        ...(options.sessionOptions ? { sessionOptions: options.sessionOptions } : {}),
        ...(options.planes ? { planes: options.planes } : {}),
        ...(options.channelOrder ? { channelOrder: options.channelOrder } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      },
      (model, src, snk, opts) =>
        predictNode(model, src, snk, { ...opts, ...(options.worker !== undefined ? { worker: options.worker } : {}) }),
    );
    return { ...result, files: [outPath], warnings: [] };
  } finally {
    await source.close();
  }
}
