/**
 * czmodel — pack, inspect, validate, adapt and run ZEISS ZEN deep-learning model files
 * (.czann, .czmodel, .czseg) from TypeScript. This is the Node entry: the isomorphic core
 * (`./browser.ts`) plus the functions that work on files.
 *
 * Worked example — pack an ONNX model for ZEN, read it back, check it and run it:
 * ```ts
 * import { ModelMetadata, convertFromModelSpec, readModelFile, validateFile, predictFile } from "czmodel";
 *
 * const metadata = ModelMetadata.fromParams({
 *   type: "SingleClassSemanticSegmentation",
 *   inputShape: [256, 256, 1],          // tile H, W, C (no batch dim)
 *   outputShape: [256, 256, 2],         // one channel per class
 *   minOverlap: [16, 16],               // 8 context pixels per tile side
 *   classes: ["Background", "Cell"],
 *   modelName: "Blob segmenter",
 * });
 * const { path } = await convertFromModelSpec({ model: "blob-segmenter.onnx", metadata }, "out", "blobs");
 * const file = await readModelFile(path);          // out/blobs.czann
 * console.log(file.metadata.toJson());
 * const report = await validateFile(path);          // structural (+ { run: true } for numeric)
 * await predictFile(path, "cells.png", "out/labels.png");
 * ```
 * Legacy files use `LegacyModelMetadata.fromParams({ colorHandling, pixelTypes, classes,
 * borderSize })`; a ZEISS conversion-spec JSON goes through `convertFromJsonSpec(spec, outDir, name)`.
 */
export * from "./browser.js";

// model files and conversion on disk
export { readModelFile, unpackModel, writeFileAtomic, type UnpackOptions } from "./container/node/index.js";
export {
  convertFromModelSpec,
  convertFromJsonSpec,
  type ModelSpec,
  type ConvertResult,
  type JsonSpecOptions,
} from "./convert/node/index.js";
export { zipSavedModelFolder } from "./savedmodel/node/index.js";
export { checkSpatialInvarianceNode } from "./onnx/node/index.js";
export { nodeRun } from "./validate/node/index.js";
// prediction and images on files
export { predictNode, nodeRuntime, type NodePredictOptions } from "./engine/node/index.js";
export { openImageFile } from "./io/node/open-file.js";
export { createImageFileSink, type FileSinkOptions, type OutputFormat } from "./io/node/create-sink.js";
export { objectsFile, type ObjectsFileOptions, type ObjectsFileResult } from "./objects/node/objects-file.js";
export { FileByteSource } from "./bytes/node/file-byte-source.js";
// bioimage.io packages on files
export { openPackage } from "./bioimageio/node/open-package.js";
export { exportBioimageioFile, type ExportFileOptions, type ExportFileResult } from "./bioimageio/node/export-file.js";
export { predictPackageFile, type PackageFileResult } from "./bioimageio/node/predict-file.js";
// one-call helpers (what the CLI commands wrap)
export {
  validateFile,
  predictFile,
  type ValidateFileOptions,
  type FileValidationReport,
  type PredictFileOptions,
  type PredictFileResult,
} from "./node-api.js";
