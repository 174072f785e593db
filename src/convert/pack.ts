/**
 * `packModel`: the one path from (model payload + metadata [+ licence]) to the bytes of a
 * `.czann` or `.czmodel`, used by the Node API, the CLI and the browser page:
 *   adapt the ONNX graph (options) → inspect the payload → validate against ZEN's rules
 *   (refuse on errors unless `force`) → build the archive exactly as czmodel does.
 * An ONNX model that needs no edit is stored byte for byte. Isomorphic.
 */
import { buildCzann, buildLegacy, crc32, type LicenseInput } from "../container/index.js";
import { invalidModel } from "../errors.js";
import { type LegacyModelMetadata, ModelMetadata } from "../metadata/index.js";
import { adaptModel, type OnnxSummary } from "../onnx/index.js";
import type { PayloadFacts } from "../inspect/payload.js";
import type { ValidationReport } from "../validate/findings.js";
import { validateModel } from "../validate/model.js";
import { hasAdaptation, resolveOps, type ConvertOptions } from "./options.js";

export type ModelPayload =
  | { kind: "onnx"; bytes: Uint8Array }
  /** A SavedModel folder zipped as czmodel does (see `zipSavedModelFolder`). */
  | { kind: "savedmodel"; bytes: Uint8Array };

export interface PackInput {
  payload: ModelPayload;
  metadata: ModelMetadata | LegacyModelMetadata;
  license?: LicenseInput | null;
}

export interface PreparedModel {
  format: "czann" | "czmodel";
  metadata: ModelMetadata | LegacyModelMetadata;
  /** The model entry's bytes (edited ONNX, or the input untouched). */
  modelBytes: Uint8Array;
  onnx?: OnnxSummary;
  report: ValidationReport;
  warnings: string[];
  /** Graph edits made, one line each. */
  steps: string[];
}

/** Adapt the ONNX graph as the options ask; returns the input bytes untouched when nothing is asked. */
export function adaptPayload(payload: ModelPayload, options: ConvertOptions): { bytes: Uint8Array; warnings: string[]; steps: string[] } {
  if (!hasAdaptation(options)) return { bytes: payload.bytes, warnings: [], steps: [] };
  if (payload.kind !== "onnx") {
    throw invalidModel("pre-/post-processing, layout and spatial-dims options edit ONNX graphs; this model is a TensorFlow SavedModel", {
      where: "model",
      allowed: "convert it to ONNX first (tf2onnx --opset 12)",
    });
  }
  const result = adaptModel(payload.bytes, {
    ...(options.channelsFirst ? { channelsFirst: true } : {}),
    ...(options.channelsFirst && options.force ? { forceLayout: true } : {}),
    ...(options.inputCast ? { inputCast: options.inputCast } : {}),
    ...(options.spatialDims ? { spatialDims: options.spatialDims } : {}),
    preprocessing: resolveOps(options.preprocessing, "pre"),
    postprocessing: resolveOps(options.postprocessing, "post"),
  });
  return { bytes: result.bytes, warnings: result.warnings, steps: result.steps };
}

export type AdaptedPayload = ReturnType<typeof adaptPayload>;

/**
 * Adapt (unless `adapted` is given: the result of `adaptPayload` on the same input) and
 * validate a model against its metadata; throws when ZEN would reject it. `looked`: the
 * payload's facts when they were read from a stream (the bytes are then not at hand).
 */
export function prepareModel(
  input: PackInput,
  options: ConvertOptions = {},
  adapted: AdaptedPayload = adaptPayload(input.payload, options),
  where = "pack",
  looked?: PayloadFacts,
): PreparedModel {
  const { payload: facts, ...report } = validateModel(
    { metadata: input.metadata, modelBytes: adapted.bytes, payloadKind: input.payload.kind },
    { target: options.target, ...(looked ? { payload: looked } : {}) },
  );
  if (!report.ok && !options.force) {
    const errors = report.findings.filter((f) => f.severity === "error");
    const text = errors.map((f) => (f.where ? `${f.where}: ${f.message}` : f.message)).join("; ");
    throw invalidModel(`ZEN would reject this model: ${text}`, { where });
  }
  return {
    format: input.metadata instanceof ModelMetadata ? "czann" : "czmodel",
    metadata: input.metadata,
    modelBytes: adapted.bytes,
    ...(facts.onnx ? { onnx: facts.onnx } : {}),
    report,
    warnings: [...adapted.warnings, ...report.findings.filter((f) => f.severity === "warning").map((f) => f.message)],
    steps: adapted.steps,
  };
}

/** Build the archive bytes of a prepared model. */
export function buildArchive(prepared: PreparedModel, license: LicenseInput | null | undefined, options: ConvertOptions = {}): Uint8Array {
  const zip = {
    ...(options.hostByte !== undefined ? { hostByte: options.hostByte } : {}),
    ...(options.date !== undefined ? { date: options.date } : {}),
  };
  const model = prepared.modelBytes;
  const common = { model, modelCrc32: crc32(model), license: license ?? null };
  return prepared.metadata instanceof ModelMetadata
    ? buildCzann({ ...common, metadata: prepared.metadata }, zip)
    : buildLegacy({ ...common, metadata: prepared.metadata as LegacyModelMetadata }, zip);
}

/** Everything at once, in memory: returns the archive bytes and what was done. */
export function packModel(input: PackInput, options: ConvertOptions = {}): PreparedModel & { bytes: Uint8Array } {
  const prepared = prepareModel(input, options);
  return { ...prepared, bytes: buildArchive(prepared, input.license, options) };
}
