/**
 * `validateModel`: the one entry of validation. Given a model (a `ModelFile` as the readers
 * return it, or metadata plus payload bytes about to be packed) and a ZEN target, it reads the
 * payload once (`readPayloadFacts`), runs the structural rules (`structural.ts`) and, when a
 * runner is injected with `run`, the numeric check on one tile (`numeric.ts`). Validation never
 * loads a runtime or builds image tiles itself: the caller passes the onnxruntime module (and,
 * optionally, a tile the engine cut from an image). Isomorphic.
 */
import type { PayloadKind } from "../container/index.js";
import { unsupported, invalidModel } from "../errors.js";
import { readPayloadFacts, type PayloadFacts } from "../inspect/payload.js";
import { PIXEL_TYPE_INFO, type LegacyModelMetadata } from "../metadata/index.js";
import { ModelMetadata } from "../metadata/index.js";
import type { OrtRuntime } from "../onnx/ort-types.js";
import { makeReport, type Finding, type ValidationReport } from "./findings.js";
import {
  runNumericValidation,
  type NumericValidationMeta,
  type NumericValidationOptions,
  type NumericValidationResult,
} from "./numeric.js";
import { tileOf, validateStructure } from "./structural.js";
import { subjectFor } from "./subject.js";
import type { Target } from "./targets.js";

/** What validation needs of a model; a `ModelFile` is one. */
export interface ModelToValidate {
  metadata: ModelMetadata | LegacyModelMetadata;
  modelBytes: Uint8Array;
  payloadKind: PayloadKind;
  /** Warnings the reader raised; they become `reader` findings. */
  warnings?: readonly string[];
  /** The file's path, for messages. */
  path?: string;
}

/** The injected runner of the numeric check: the onnxruntime module plus how to run the tile. */
export interface NumericRun extends NumericValidationOptions {
  /** onnxruntime-node, onnxruntime-web, or anything with the same `InferenceSession`/`Tensor` API. */
  ort: OrtRuntime;
}

export interface ValidateModelOptions {
  /** ZEN version to check against (default `DEFAULT_TARGET`). */
  target?: Target;
  /** The payload as `readPayloadFacts` already read it, to save a second parse. */
  payload?: PayloadFacts;
  /** Also run the model on one tile with this runner and check the output numerically. */
  run?: NumericRun;
}

export interface ModelValidationReport extends ValidationReport {
  /** What the payload declares, as read for the structural rules. */
  payload: PayloadFacts;
  /** The numeric check's result (with `run`, for an ONNX payload). */
  numeric?: NumericValidationResult;
}

/**
 * Validate a model against ZEN's rules for `target`. Without `run` the check is structural and
 * synchronous; with `run` it also runs one tile and returns a promise.
 */
export function validateModel(file: ModelToValidate, options?: ValidateModelOptions & { run?: undefined }): ModelValidationReport;
export function validateModel(file: ModelToValidate, options: ValidateModelOptions & { run: NumericRun }): Promise<ModelValidationReport>;
export function validateModel(
  file: ModelToValidate,
  options: ValidateModelOptions = {},
): ModelValidationReport | Promise<ModelValidationReport> {
  const payload = options.payload ?? readPayloadFacts(file.modelBytes, file.payloadKind);
  const structural = validateStructure(subjectFor(file.metadata, payload, [...(file.warnings ?? [])]), options.target);
  if (!options.run) return { ...structural, payload };
  return withNumericCheck(file, payload, structural.findings, options.run);
}

async function withNumericCheck(
  file: ModelToValidate,
  payload: PayloadFacts,
  structural: Finding[],
  run: NumericRun,
): Promise<ModelValidationReport> {
  const findings = [...structural];
  if (file.payloadKind !== "onnx") {
    findings.push({ severity: "error", code: "run-not-onnx", message: "a numeric check needs an ONNX model" });
    return { ...makeReport(findings), payload };
  }
  const { ort, ...runOptions } = run;
  const numeric = await runNumericValidation(file.modelBytes, numericMeta(file, payload), ort, runOptions);
  findings.push(...numeric.findings);
  return { ...makeReport(findings), payload, numeric };
}

/** Tile shape and expectations the numeric check needs (CZANN: model.json; legacy: the ONNX graph and the XML). */
export function numericMetaFor(file: ModelToValidate): NumericValidationMeta {
  if (file.payloadKind !== "onnx" && !(file.metadata instanceof ModelMetadata)) {
    throw unsupported("the model is not an ONNX model; the numeric check runs ONNX models only", { where: file.path ?? "model" });
  }
  return numericMeta(file, readPayloadFacts(file.modelBytes, file.payloadKind));
}

function numericMeta(file: ModelToValidate, payload: PayloadFacts): NumericValidationMeta {
  const m = file.metadata;
  if (m instanceof ModelMetadata) {
    return {
      type: m.type,
      inputShape: [...m.inputShape],
      outputShape: [...m.outputShape],
      ...(m.classes ? { classes: [...m.classes] } : {}),
    };
  }
  const where = file.path ?? "model";
  const onnx = payload.onnx;
  if (!onnx) throw invalidModel(`the ONNX model cannot be parsed: ${payload.failure ?? "unknown reason"}`, { where });
  if (onnx.inputs.length !== 1 || onnx.outputs.length !== 1) {
    throw invalidModel(
      `the ONNX model has ${onnx.inputs.length} inputs and ${onnx.outputs.length} outputs; prediction needs exactly one of each`,
      { where },
    );
  }
  const tile = tileOf(subjectFor(m, payload)) ?? [256, 256];
  const channels = m.pixelTypes.reduce((n, p) => n + PIXEL_TYPE_INFO[p].samples, 0);
  const k = onnx.outputs[0]?.shape[3];
  return {
    inputShape: [...tile, channels],
    ...(typeof k === "number" && k > 0 ? { outputShape: [...tile, k] } : {}),
    classes: m.classNames,
  };
}
