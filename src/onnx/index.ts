/**
 * Public API of the ONNX area (isomorphic): payload decode/encode and inspection, model
 * adaptation by graph edits, the op registry and CLI op-list parser, layout guessing, the
 * per-image-statistics detector and the spatial-invariance proof (it takes the onnxruntime
 * module as a parameter). Node-only wrappers live in `./node/`. The numeric check of a packed
 * model is validation and lives in `../validate/numeric.ts`.
 */
export { decodeModel, encodeModel, type ModelProto } from "./model-io.js";
export { summarizeOnnx, type OnnxSummary, type TensorSummary } from "./summary.js";
export { adaptModel, type AdaptOptions, type AdaptResult } from "./adapt.js";
export { OPERATIONS, findOperation, parseOpList, operationsHelp } from "./ops/index.js";
export type { OpSpec } from "./ops/types.js";
export { parseInputCast, type InputCastType } from "./ops/input-cast.js";
export { findImageStatistics, type ImageStatistic } from "./image-statistics.js";
export { checkSpatialInvariance } from "./spatial/check-invariance.js";
