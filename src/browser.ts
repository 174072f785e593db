/**
 * The browser entry (`czmodel/browser`): the isomorphic library, everything that runs in a
 * browser as well as in Node. Its names are chosen, not accumulated: each one is something a
 * user of the package calls, and test/public-api.test.ts pins the list. Internals (zip
 * headers, Python float printing, tiling arithmetic …) stay importable only inside the repo.
 *
 * - model metadata: `ModelMetadata`, `LegacyModelMetadata`, the closed sets of ZEN's values;
 * - model files from bytes or a `Blob`: read, build, convert between `.czann` and `.czmodel`;
 * - ONNX payloads: summarize, adapt by graph edits, the op list, the spatial-invariance proof;
 * - packing, inspection and validation (`packModel`, `describeModelFile`, `validateModel`);
 * - prediction (`predict`, with `onnxruntime-web` passed in; `planPrediction` is its pure plan);
 * - images: in-memory and `Blob`-backed sources, the format sniffer, overlays;
 * - bioimage.io packages: import as a ZEN model, run with their own semantics, export.
 *
 * Node code imports `czmodel`, which re-exports this and adds the functions on files.
 */
export { CzmodelError, isCzmodelError, describeError, type CzmodelErrorDetails, type ErrorCode } from "./errors.js";

// metadata
export {
  ModelMetadata,
  LegacyModelMetadata,
  parseConversionSpec,
  classColors,
  type ModelMetadataParams,
  type ConversionSpec,
  type Rgb,
} from "./metadata/index.js";
export {
  MODEL_TYPES,
  SEGMENTATION_MODEL_TYPES,
  PIXEL_TYPES,
  COLOR_HANDLINGS,
  type ModelType,
  type PixelType,
  type ColorHandling,
} from "./metadata/enums.js";

// model files (from bytes, a Blob or any ByteSource)
export { readModelFileBytes, readModelFromSource, buildCzann, buildLegacy, outputFileName } from "./container/index.js";
export type { ModelFile, CzannModelFile, LegacyModelFile, CzannInput, LegacyInput, LicenseInput, BuildOptions } from "./container/index.js";
export { MemoryByteSource, BlobByteSource, type ByteSource } from "./bytes/byte-source.js";

// ONNX payloads
export { summarizeOnnx, adaptModel, OPERATIONS, parseOpList, checkSpatialInvariance, findImageStatistics } from "./onnx/index.js";
export type { OnnxSummary, TensorSummary, AdaptOptions, AdaptResult, ImageStatistic } from "./onnx/index.js";
export { summarizeSavedModel, summarizeZippedSavedModel, type SavedModelSummary } from "./savedmodel/index.js";

// packing, inspection, validation
export { packModel, czannToLegacy, legacyToCzann, type PackInput, type ConvertOptions } from "./convert/index.js";
export { describeModelFile, type ModelFileDescription } from "./inspect/describe.js";
export {
  validateModel,
  type ModelToValidate,
  type NumericRun,
  type ValidateModelOptions,
  type ModelValidationReport,
} from "./validate/model.js";
export type { Finding, Severity, ValidationReport } from "./validate/findings.js";
export { TARGETS, DEFAULT_TARGET, type Target } from "./validate/targets.js";

// prediction
export { predict, planPrediction } from "./engine/index.js";
export type { PredictionPlan, PlanRequest, PlanOptions, ModelFacts, SessionFacts } from "./engine/index.js";
export type { EngineModel, EngineClass, OrtRuntime, PredictOptions, PredictProgress, PredictResult, SinkPair } from "./engine/index.js";
export { engineModelFromFile, type EngineModelInfo } from "./engine/from-model-file.js";

// images
export type {
  ImageSource,
  ImageSink,
  ImageInfo,
  OutputImageInfo,
  PlaneIndex,
  PlaneSizes,
  Rect,
  SampleArray,
  SampleType,
} from "./io/types.js";
export { openImageSource, detectFormat, SUPPORTED_INPUTS, type ImageInput, type OpenImageOptions } from "./io/open.js";
export { MemoryImageSource, MemoryImageSink, type MemoryImageOptions } from "./io/memory/index.js";
export { renderOverlay, type OverlayClass, type OverlayInput } from "./render/overlay.js";
export { formatBytes } from "./render/format.js";

// objects: connected components and measurements of label images (docs/objects.md)
export {
  ObjectLabeler,
  IdTrace,
  objectsFromImage,
  writeInstances,
  type BandExtras,
  type LabelerHooks,
  type LabelingSummary,
  type ObjectsFromImageOptions,
  type MeasuredObject,
  type ObjectOptions,
  type Outline,
  type Ring,
} from "./objects/index.js";

// bioimage.io packages
export {
  loadPackage,
  zipPackage,
  importPackage,
  exportBioimageio,
  predictPackage,
  checkTestTensors,
  readNpy,
  writeNpy,
} from "./bioimageio/index.js";
export type {
  ModelDescription,
  LoadedPackage,
  PackageFiles,
  ImportPackageOptions,
  ImportResult,
  ExportOptions,
  BioimageioExport,
  PackagePredictOptions,
  PackagePredictResult,
  NpyArray,
} from "./bioimageio/index.js";
