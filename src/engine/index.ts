/**
 * The prediction engine (isomorphic): `predict` plus the pieces a caller may want on their
 * own (the pure prediction plan, tiling plans, pixel conversion rules, class colours, types).
 * The ONNX runtime is passed in (`PredictOptions.runtime`); `src/engine/node/` binds
 * onnxruntime-node.
 */
export { predict } from "./predict.js";
export {
  planPrediction,
  type PredictionPlan,
  type PlanRequest,
  type PlanOptions,
  type ModelFacts,
  type SessionFacts,
} from "./plan.js";
export type {
  EngineClass,
  EngineModel,
  OrtRuntime,
  IntensityRange,
  PlaneFilter,
  SinkPair,
  PredictOptions,
  PredictProgress,
  PredictResult,
} from "./types.js";
export type { BlendMode } from "./tiling.js";
export { planModelInput } from "./pixels.js";
/** czmodel's class colour sequence (alias of the metadata module's `classColors`). */
export { classColors as czmodelClassColors } from "../metadata/class-colors.js";
