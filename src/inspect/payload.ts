/**
 * What a model payload is and what it declares, read once for everyone: `inspect` shows it
 * (`describeModelFile`), `validate` and `pack` check it (`validate/subject.ts`). Reading
 * never throws: a payload that cannot be parsed comes back with the reason. Sits on the ONNX
 * and SavedModel readers, below validation. Isomorphic.
 */
import type { PayloadKind } from "../container/index.js";
import { describeError } from "../errors.js";
import { decodeModel, summarizeOnnx, type OnnxSummary } from "../onnx/index.js";
import { findImageStatistics, type ImageStatistic } from "../onnx/image-statistics.js";
import { summarizeZippedSavedModel, type SavedModelSummary } from "../savedmodel/index.js";

export interface PayloadFacts {
  payloadKind: PayloadKind;
  onnx?: OnnxSummary;
  savedModel?: SavedModelSummary;
  /** ONNX nodes that compute statistics over the image. */
  imageStatistics?: ImageStatistic[];
  /** Problems met while reading the payload, worded as findings (they become reader warnings). */
  problems: string[];
  /** The reader's own error text when an ONNX or SavedModel payload could not be read. */
  failure?: string;
}

/** Inspect a model payload without failing: problems are collected, not thrown. */
export function readPayloadFacts(bytes: Uint8Array, payloadKind: PayloadKind): PayloadFacts {
  if (payloadKind === "onnx") {
    try {
      const model = decodeModel(bytes);
      return { payloadKind, onnx: summarizeOnnx(model), imageStatistics: findImageStatistics(model), problems: [] };
    } catch (e) {
      const failure = describeError(e);
      return { payloadKind, problems: [`the ONNX model cannot be parsed: ${failure}`], failure };
    }
  }
  if (payloadKind === "savedmodel") {
    try {
      return { payloadKind, savedModel: summarizeZippedSavedModel(bytes), problems: [] };
    } catch (e) {
      const failure = describeError(e);
      return { payloadKind, problems: [`the SavedModel's serving signature cannot be read: ${failure}`], failure };
    }
  }
  return { payloadKind, problems: [] };
}
