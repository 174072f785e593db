/**
 * Builds the `ValidationSubject` the structural rules run on from the library's own objects:
 * a metadata object (CZANN or legacy) plus the payload's facts (`readPayloadFacts` in
 * `inspect/payload.ts`: ONNX summary, SavedModel signature). Isomorphic.
 */
import type { PayloadFacts } from "../inspect/payload.js";
import { type LegacyModelMetadata, ModelMetadata } from "../metadata/index.js";
import type { ValidationSubject } from "./structural.js";

export function subjectFor(
  metadata: ModelMetadata | LegacyModelMetadata,
  payload: PayloadFacts,
  readerWarnings: string[] = [],
): ValidationSubject {
  const base = {
    payloadKind: payload.payloadKind,
    ...(payload.onnx ? { onnx: payload.onnx } : {}),
    ...(payload.savedModel ? { savedModel: payload.savedModel } : {}),
    ...(payload.imageStatistics?.length ? { imageStatistics: payload.imageStatistics } : {}),
    // an unparseable ONNX payload is an error of its own (onnx-unreadable), not a reader warning
    ...(payload.payloadKind === "onnx" && payload.failure !== undefined ? { onnxFailure: payload.failure } : {}),
    readerWarnings: [...readerWarnings, ...(payload.payloadKind === "onnx" && payload.failure !== undefined ? [] : payload.problems)],
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
