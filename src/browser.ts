/**
 * The isomorphic part of the library — everything that runs in a browser as well as in Node:
 * metadata, containers (from bytes), ONNX inspection and adaptation, packing to bytes,
 * validation, the prediction engine (give it `onnxruntime-web`), in-memory and Blob-backed
 * image IO, and overlay rendering. Import `czmodel/browser` in web code; Node code can use
 * the main entry, which re-exports all of this plus the file-based functions.
 */
export * from "./errors.js";
export * from "./metadata/index.js";
export * from "./container/index.js";
export * from "./onnx/index.js";
export { summarizeSavedModel, summarizeZippedSavedModel, type SavedModelSummary } from "./savedmodel/index.js";
export * from "./convert/index.js";
export * from "./bioimageio/index.js";
export { describeModelFile, type ModelFileDescription, type ModelPayloadDescription } from "./inspect/describe.js";
export { validateStructure, type ValidationSubject, type TensorFacts } from "./validate/structural.js";
export { subjectFor } from "./validate/subject.js";
export { readPayloadFacts, type PayloadFacts } from "./inspect/payload.js";
export { makeReport, type Finding, type Severity, type ValidationReport } from "./validate/findings.js";
export { TARGETS, DEFAULT_TARGET, TARGET_RULES, type Target } from "./validate/targets.js";
export { validateModel, type ModelToValidate, type NumericRun, type ValidateModelOptions, type ModelValidationReport } from "./validate/model.js";
export {
  runNumericValidation,
  syntheticTile,
  ZEN_MIN_GPU_BYTES,
  SOFTMAX_SUM_TOLERANCE,
  type MemoryProbe,
  type NumericValidationMeta,
  type NumericValidationOptions,
  type NumericValidationResult,
} from "./validate/numeric.js";
export * from "./engine/index.js";
export { engineModelFromFile, type EngineModelInfo } from "./engine/from-model-file.js";
export * from "./io/types.js";
export { MemoryByteSource, BlobByteSource, type ByteSource } from "./bytes/byte-source.js";
export { openImageSource, detectFormat, SUPPORTED_INPUTS, type ImageInput, type OpenImageOptions } from "./io/open.js";
export * from "./io/memory/index.js";
export { renderOverlay, type OverlayClass, type OverlayInput } from "./render/overlay.js";
export { formatBytes } from "./render/format.js";
