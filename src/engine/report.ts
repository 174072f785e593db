/**
 * What a prediction tells its caller, built from its `PredictionPlan`: the run description
 * written into each output's metadata, the progress events sent after each batch, and the
 * `PredictResult` returned at the end. Pure: times and counts are passed in.
 */
import type { OutputImageInfo } from "../io/types.js";
import type { PredictionPlan } from "./plan.js";
import type { PredictProgress, PredictResult } from "./types.js";

/** The run as recorded in each output's metadata (model, tile, border, blend, channel mapping, scaling). */
export function runDescription(plan: PredictionPlan): Record<string, unknown> {
  return {
    model: plan.model.name,
    ...(plan.model.id ? { modelId: plan.model.id } : {}),
    modelKind: plan.model.kind,
    tile: plan.tile,
    border: plan.border,
    blend: plan.blend,
    channelMapping: plan.mapping.description,
    inputScaling: plan.scaling.description,
  };
}

/** The progress event after a batch: `tilesDone` tiles and `pixelsDone` output pixels finished, `elapsedMs` since the start. */
export function progressEvent(plan: PredictionPlan, tilesDone: number, pixelsDone: number, elapsedMs: number): PredictProgress {
  return {
    tilesDone,
    tilesTotal: plan.totalTiles,
    megapixelsDone: pixelsDone / 1e6,
    megapixelsTotal: plan.megapixelsTotal,
    elapsedMs,
    megapixelsPerSecond: elapsedMs > 0 ? pixelsDone / 1e3 / elapsedMs : 0,
    etaMs: (elapsedMs / tilesDone) * (plan.totalTiles - tilesDone),
  };
}

/** The result of a finished prediction. */
export function predictResult(plan: PredictionPlan, outputs: OutputImageInfo[], batches: number, elapsedMs: number): PredictResult {
  const megapixels = plan.megapixelsTotal;
  return {
    model: plan.model,
    tile: plan.tile,
    border: plan.border,
    blend: plan.blend,
    batchSize: plan.batch.max,
    tilesPerPlane: plan.tilesPerPlane,
    tiles: plan.totalTiles,
    batches,
    outputs,
    channelMapping: plan.mapping.description,
    inputScaling: plan.scaling.description,
    notes: plan.notes,
    elapsedMs,
    megapixels,
    megapixelsPerSecond: elapsedMs > 0 ? (megapixels * 1000) / elapsedMs : 0,
  };
}
