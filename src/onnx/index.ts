/**
 * Public API of the ONNX area (isomorphic): payload decode/encode and inspection, model
 * adaptation by graph edits, the op registry and CLI op-list parser, layout guessing, the
 * per-image-statistics detector and the spatial-invariance proof (it takes the onnxruntime
 * module as a parameter). Node-only wrappers live in `./node/`. The numeric check of a packed
 * model is validation and lives in `../validate/numeric.ts`.
 */
export { decodeModel, encodeModel, type ModelProto } from "./model-io.js";
export { summarizeOnnx, defaultOpsetOf, type OnnxSummary, type TensorSummary } from "./summary.js";
export { onnxTypeName, onnxTypeFromName } from "./tensor-types.js";
export { adaptModel, adaptModelProto, type AdaptOptions, type AdaptResult } from "./adapt.js";
export { OPERATIONS, findOperation, parseOpList, operationsHelp, opsUseImageStatistics, type OpRole } from "./ops/index.js";
export type { OpDescriptor, OpSpec, OpContext, TensorState, OpKind } from "./ops/types.js";
export { parseInputCast, INPUT_CAST_TYPES, type InputCastType } from "./ops/input-cast.js";
export { setSpatialDims, type SetSpatialDimsResult } from "./spatial/set-spatial-dims.js";
export { findSpatialBlockers, type SpatialBlocker } from "./spatial/blockers.js";
export { findImageStatistics, type ImageStatistic } from "./image-statistics.js";
export { looksChannelsFirst, looksChannelsLast, channelsFirstHint, CHANNELS_FIRST_HINT } from "./layout-guess.js";
export {
  checkSpatialInvariance,
  defaultInvarianceSizes,
  type InvarianceOptions,
  type InvarianceResult,
  type InvarianceRun,
} from "./spatial/check-invariance.js";
export type { OrtRuntime } from "./ort-types.js";
