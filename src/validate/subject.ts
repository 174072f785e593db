/**
 * Builds the `ValidationSubject` the structural rules run on from the library's own objects:
 * a metadata object (CZANN or legacy) plus the payload's facts (ONNX summary, SavedModel
 * signature). Used by `validate` on a file and by `pack` before it writes one. Isomorphic.
 */
import type { PayloadKind } from "../container/index.js";
import { LegacyModelMetadata, ModelMetadata } from "../metadata/index.js";
import { decodeModel, inspectOnnx, type OnnxSummary } from "../onnx/index.js";
import { findImageStatistics, type ImageStatistic } from "../onnx/image-statistics.js";
import { inspectZippedSavedModel, type SavedModelSummary } from "../savedmodel/index.js";
import { describeError } from "../errors.js";
import type { ValidationSubject } from "./structural.js";

export interface PayloadFacts {
  payloadKind: PayloadKind;
  onnx?: OnnxSummary;
  savedModel?: SavedModelSummary;
  /** ONNX nodes that compute statistics over the image. */
  imageStatistics?: ImageStatistic[];
  /** Problems met while reading the payload (become findings). */
  problems: string[];
}

/** Inspect a model payload without failing: problems are collected, not thrown. */
export function inspectPayload(bytes: Uint8Array, payloadKind: PayloadKind): PayloadFacts {
  const problems: string[] = [];
  if (payloadKind === "onnx") {
    try {
      const model = decodeModel(bytes);
      return { payloadKind, onnx: inspectOnnx(model), imageStatistics: findImageStatistics(model), problems };
    } catch (e) {
      problems.push(`the ONNX model cannot be parsed: ${describeError(e)}`);
    }
  } else if (payloadKind === "savedmodel") {
    try {
      return { payloadKind, savedModel: inspectZippedSavedModel(bytes), problems };
    } catch (e) {
      problems.push(`the SavedModel's serving signature cannot be read: ${describeError(e)}`);
    }
  }
  return { payloadKind, problems };
}

export function subjectFor(metadata: ModelMetadata | LegacyModelMetadata, payload: PayloadFacts, readerWarnings: string[] = []): ValidationSubject {
  const base = {
    payloadKind: payload.payloadKind,
    ...(payload.onnx ? { onnx: payload.onnx } : {}),
    ...(payload.savedModel ? { savedModel: payload.savedModel } : {}),
    ...(payload.imageStatistics?.length ? { imageStatistics: payload.imageStatistics } : {}),
    readerWarnings: [...readerWarnings, ...payload.problems],
  };
  if (metadata instanceof ModelMetadata) {
    return {
      ...base,
      format: "czann",
      modelType: metadata.type,
      inputShape: [...metadata.inputShape],
      outputShape: [...metadata.outputShape],
      ...(metadata.minOverlap ? { minOverlap: [...metadata.minOverlap] } : {}),
      ...(metadata.classes ? { classes: [...metadata.classes] } : {}),
    };
  }
  const tile = metadata.tileSize;
  return {
    ...base,
    format: "czmodel",
    classes: metadata.classNames,
    borderSize: metadata.borderSize ?? null,
    pixelTypes: [...metadata.pixelTypes],
    ...(tile ? { legacyTile: tile } : {}),
  };
}
