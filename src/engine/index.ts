/**
 * The prediction engine (isomorphic): `predict` plus the pieces a caller may want on their
 * own (the pure prediction plan, tiling plans, pixel conversion rules, class colours, types).
 * The ONNX runtime is passed in (`PredictOptions.runtime`); `src/engine/node/` binds
 * onnxruntime-node.
 */
export { predict } from "./predict.js";
export {
  planPrediction,
  planInput,
  planGeometry,
  planOutputs,
  defaultBatchFor,
  DEFAULT_BATCH,
  DEFAULT_BATCH_PIXELS,
  DEFAULT_TILE_MULTIPLE,
  type PredictionPlan,
  type PlanRequest,
  type PlanOptions,
  type ModelFacts,
  type SessionFacts,
  type InputPlan,
  type TileGeometry,
  type BatchPlan,
} from "./plan.js";
export type {
  EngineClass,
  EngineModel,
  OrtRuntime,
  SessionFactory,
  OutputSelection,
  ChannelOrderOption,
  RescaleOption,
  IntensityRange,
  PlaneFilter,
  SinkPair,
  PredictOptions,
  PredictProgress,
  PredictResult,
} from "./types.js";
export {
  cztile1D,
  planTiles2D,
  planTiles3D,
  tileCount,
  reflectIndex,
  snapTileSize,
  defaultDynamicTile,
  blendWeights1D,
  roiStart,
  roiEnd,
  type Tile1D,
  type TilePlan2D,
  type TilePlan3D,
  type BlendMode,
} from "./tiling.js";
export { planChannels, planScaling, planModelInput, type ChannelMapping, type Scaling, type ModelInputOptions } from "./pixels.js";
/** czmodel's class colour sequence (alias of the metadata module's `classColors`). */
export { classColors as czmodelClassColors } from "../metadata/class-colors.js";
export { UNCLASSIFIED_VALUE } from "./outputs.js";
