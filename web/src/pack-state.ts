/**
 * State of the Pack flow, apart from the DOM: the loaded ONNX model or bioimage.io import, the
 * licence, and the form's values as plain data (`PackForm`), with the pure functions the view
 * renders from — what the fields mean as `ConvertOptions` and metadata, the live validation
 * messages and whether Download is enabled, the values a dropped model, import or spec puts in
 * the form, and what file a download writes. All checks and the archive come from the library
 * (`adaptPayload`, `ModelMetadata` / `LegacyModelMetadata`, `validateModel`, `packModel`);
 * `pack-view.ts` only builds the DOM, reads the form into a `PackForm` and draws the results.
 */
import { outputFileName, readModelFileBytes, type LicenseInput } from "../../src/container/index.js";
import { adaptPayload, packModel } from "../../src/convert/pack.js";
import type { ConvertOptions } from "../../src/convert/options.js";
import { invalidArgument } from "../../src/errors.js";
import {
  type COLOR_HANDLINGS,
  isSegmentationType,
  LegacyModelMetadata,
  ModelMetadata,
  PIXEL_TYPES,
  PIXEL_TYPE_INFO,
  type ConversionSpec,
  type ModelType,
  type PixelType,
} from "../../src/metadata/index.js";
import { summarizeOnnx, type OnnxSummary, type TensorSummary } from "../../src/onnx/index.js";
import type { ValidationReport } from "../../src/validate/findings.js";
import type { Target } from "../../src/validate/targets.js";
import { readPayloadFacts, type PayloadFacts } from "../../src/inspect/payload.js";
import { validateModel } from "../../src/validate/model.js";
import { errorText } from "./dom.js";
import { fieldOf, numberList, shapeText, type Message } from "./form.js";
import type { ImportSummary } from "./protocol.js";

/** The ONNX graph the form packs. */
export interface Loaded {
  name: string;
  bytes: Uint8Array;
  summary: OnnxSummary;
}

/** A bioimage.io import: what the worker made, and the file's metadata and licence as read back. */
export interface Imported {
  summary: ImportSummary;
  fileName: string;
  metadata: ModelMetadata;
  license: LicenseInput | null;
}

export interface PackState {
  model?: Loaded;
  imported?: Imported;
  license: LicenseInput | null;
  /** Bumped by every dropped file, so a slow import that is overtaken is dropped. */
  loads: number;
}

export function createPackState(): PackState {
  return { license: null, loads: 0 };
}

/** What the form says, as plain values (the controls' `value` / `checked`, the class editor's rows). */
export interface PackForm {
  format: string;
  name: string;
  type: string;
  overlap: string;
  scaling: string;
  border: string;
  pixelType: string;
  colorHandling: string;
  pre: string;
  post: string;
  channelsFirst: boolean;
  inputCast: string;
  spatial: string;
  target: string;
  force: boolean;
  classNames: readonly string[];
  classColors: readonly (readonly [number, number, number])[];
}

/** The form's values before anything is loaded. */
export function defaultForm(): PackForm {
  return {
    format: "czann",
    name: "",
    type: "SingleClassSemanticSegmentation",
    overlap: "",
    scaling: "",
    border: "",
    pixelType: "Gray16",
    colorHandling: "SplitRgb",
    pre: "",
    post: "",
    channelsFirst: false,
    inputCast: "none",
    spatial: "",
    target: "zen-3.13",
    force: false,
    classNames: [],
    classColors: [],
  };
}

export function isLegacy(form: Pick<PackForm, "format">): boolean {
  return form.format === "czmodel";
}

export function downloadLabel(form: Pick<PackForm, "format">): string {
  return isLegacy(form) ? "Download .czmodel" : "Download .czann";
}

/** A new dropped file: its number, to tell later whether it is still the latest. */
export function startLoad(state: PackState): number {
  return ++state.loads;
}

export function isLatest(state: PackState, load: number): boolean {
  return load === state.loads;
}

/** Forget an earlier import (and its licence); true when there was one. */
export function leaveImport(state: PackState): boolean {
  if (!state.imported) return false;
  state.imported = undefined;
  state.license = null;
  return true;
}

/** The licence after the licence field changed: the chosen file, else the import's own (if any). */
export function licenseAfterChoice(state: PackState, chosen: LicenseInput | undefined): LicenseInput | null {
  return chosen ?? state.imported?.license ?? null;
}

/** The conversion options the pre-processing fields say (throws on an unreadable spatial dims list). */
export function convertOptions(form: PackForm): ConvertOptions {
  const spatialDims = numberList(form.spatial, "Spatial dims", "2 or 3 integers >= 1, e.g. 512, 512");
  return {
    ...(form.pre.trim() ? { preprocessing: form.pre } : {}),
    ...(form.post.trim() ? { postprocessing: form.post } : {}),
    ...(form.channelsFirst ? { channelsFirst: true } : {}),
    ...(form.inputCast !== "none" ? { inputCast: form.inputCast as "uint8" | "uint16" } : {}),
    ...(spatialDims ? { spatialDims } : {}),
    target: form.target as Target,
    ...(form.force ? { force: true } : {}),
  };
}

/** Fixed dims of a tensor without the batch axis, or a clear error. */
export function fixedShape(t: TensorSummary | undefined, what: string): number[] {
  if (!t) throw invalidArgument(`the model has no ${what}`, { where: "model" });
  const dims = t.shape.slice(1);
  if (!dims.every((d) => typeof d === "number" && d > 0)) {
    throw invalidArgument(`the model's ${what} "${t.name}" has dynamic dims ${shapeText(t)}; a .czann needs a fixed tile size`, {
      where: "Spatial dims",
      allowed: "set Spatial dims H, W under Pre-processing",
    });
  }
  return dims as number[];
}

/** The metadata the form says, for the (adapted) graph; an import keeps its id and description. */
export function packMetadata(form: PackForm, adapted: OnnxSummary, imported?: Imported): ModelMetadata | LegacyModelMetadata {
  const names = form.classNames;
  const modelName = form.name.trim() || undefined;
  if (isLegacy(form)) {
    const b = form.border.trim();
    return LegacyModelMetadata.fromParams({
      ...(modelName ? { modelName } : {}),
      colorHandling: form.colorHandling as (typeof COLOR_HANDLINGS)[number],
      pixelTypes: form.pixelType as PixelType,
      classes: names.map((n, i) => ({ name: n, color: [...form.classColors[i]!] as [number, number, number], labelValue: i + 1 })),
      ...(b ? { borderSize: Number(b) } : {}),
    });
  }
  const minOverlap = numberList(form.overlap, "metadata: MinOverlap", "one even integer >= 0 per spatial axis, e.g. 8, 8");
  const scale = numberList(form.scaling, "metadata: Scaling", "2 numbers > 0 (pixel size x, y in metres)");
  const t = form.type as ModelType;
  return ModelMetadata.fromParams({
    type: t,
    inputShape: fixedShape(adapted.inputs[0], "input"),
    outputShape: fixedShape(adapted.outputs[0], "output"),
    ...(minOverlap ? { minOverlap } : {}),
    ...(names.length || isSegmentationType(t) ? { classes: names } : {}),
    ...(modelName ? { modelName } : {}),
    ...(scale ? { scaling: scale as unknown as [number, number] } : {}),
    // an import keeps its model id and the package description (ModelDescription)
    ...(imported ? { id: imported.metadata.id, extra: imported.metadata.extra } : {}),
  });
}

/** The library's structural validation of metadata + payload for a target: the one validation call. */
export function validate(
  metadata: ModelMetadata | LegacyModelMetadata,
  modelBytes: Uint8Array,
  facts: PayloadFacts,
  target?: Target,
): ValidationReport {
  return validateModel({ metadata, modelBytes, payloadKind: "onnx" }, { target, payload: facts });
}

/** The live validation: messages, whether Download is enabled, and the graph after the edits. */
export interface PackCheck {
  messages: Message[];
  ready: boolean;
  /** The graph after pre-/post-processing (the loaded one when nothing changed). */
  summary?: OnnxSummary;
  /** Whether the pre-/post-processing changed the graph. */
  adapted?: boolean;
}

/** A message for a library text, pointing at the form field it names. */
function messageFor(severity: Message["severity"], text: string): Message {
  const field = fieldOf(text);
  return { severity, text, ...(field ? { field } : {}) };
}

export const LEGACY_IMPORT_ERROR =
  "File format: the imported graph expects ZEN's CZANN input scaling (x / pixel range), which a legacy .czmodel does not apply; write a .czann, or use czmodel import PACKAGE -o NAME.czmodel";
const IMPORT_EDITS_WARNING =
  "the test-tensor check ran on the imported graph; the pre-/post-processing and spatial-dims edits here are not covered by it";
export const IMPORT_TEST_FAILED =
  'the imported model does not reproduce the package\'s test output (see the test-tensor check above); tick "Write the file even if ZEN would reject it" to download it anyway';

/** Everything the form currently says, checked: messages, and what packing would need. */
export function checkForm(state: PackState, form: PackForm): PackCheck {
  const { model, imported } = state;
  const out: Message[] = [];
  if (!model) return { messages: out, ready: false };
  let opts: ConvertOptions;
  let adapted: ReturnType<typeof adaptPayload>;
  try {
    opts = convertOptions(form);
    adapted = adaptPayload({ kind: "onnx", bytes: model.bytes }, opts);
  } catch (e) {
    out.push(messageFor("error", errorText(e)));
    return { messages: out, ready: false };
  }
  for (const s of adapted.steps) out.push({ severity: "info", text: s });
  for (const w of adapted.warnings) out.push({ severity: "warning", text: w });
  if (imported && isLegacy(form)) {
    out.push({ severity: "error", field: "pack-format", text: LEGACY_IMPORT_ERROR });
    return { messages: out, ready: false };
  }
  if (imported && adapted.steps.length > 0) out.push({ severity: "warning", text: IMPORT_EDITS_WARNING });
  const testFailed = imported?.summary.test?.passed === false;
  if (testFailed) out.push({ severity: "error", text: IMPORT_TEST_FAILED });
  const facts = readPayloadFacts(adapted.bytes, "onnx");
  const summary = facts.onnx ?? model.summary;
  const changed = adapted.steps.length > 0;
  let meta: ModelMetadata | LegacyModelMetadata;
  try {
    meta = packMetadata(form, summary, imported);
  } catch (e) {
    out.push(messageFor("error", errorText(e)));
    return { messages: out, ready: false, summary, adapted: changed };
  }
  const report = validate(meta, adapted.bytes, facts, opts.target);
  for (const f of report.findings) out.push(messageFor(f.severity, f.where ? `${f.where}: ${f.message}` : f.message));
  return { messages: out, ready: (report.ok && !testFailed) || Boolean(opts.force), summary, adapted: changed };
}

/** The form's name, class and type defaults for a dropped ONNX model (from its output channels). */
export function defaultsFor(loaded: Loaded): Pick<PackForm, "name" | "type" | "classNames"> {
  const out = loaded.summary.outputs[0]?.shape;
  const channels = out?.[out.length - 1];
  const k = typeof channels === "number" ? channels : 2;
  return {
    name: loaded.name.replace(/\.[^.]*$/, ""),
    type: k === 1 ? "Regression" : k === 2 ? "SingleClassSemanticSegmentation" : "MultiClassSemanticSegmentation",
    classNames: k === 1 ? [] : ["Background", ...Array.from({ length: k - 1 }, (_, i) => `Class ${i + 1}`)],
  };
}

/** The form values CZANN metadata gives (an import, or a CZANN conversion spec). */
export function czannFields(m: ModelMetadata): Partial<PackForm> {
  return {
    format: "czann",
    type: m.type,
    name: m.modelName ?? "",
    overlap: m.minOverlap?.join(", ") ?? "",
    scaling: m.scaling?.join(", ") ?? "",
    classNames: m.classes ?? [],
  };
}

/** The form values a conversion spec gives (a legacy spec sets the class colours too). */
export function specFields(spec: ConversionSpec): Partial<PackForm> {
  if (spec.flavour === "czann") return czannFields(spec.metadata);
  const m = spec.metadata;
  return {
    format: "czmodel",
    name: m.modelName,
    border: m.borderSize === undefined ? "" : String(m.borderSize),
    pixelType: m.pixelTypes[0] ?? "Gray16",
    colorHandling: m.colorHandling,
    classNames: m.classNames,
    classColors: m.classes.map((c) => c.color),
  };
}

/** What the page lists after a spec filled the form. */
export function specNotes(spec: ConversionSpec, fileName: string): string[] {
  return [`Filled from ${fileName} (model: ${spec.rawPaths.modelPath}; drop that ONNX file above).`, ...spec.warnings];
}

/** An import starts with no graph edits of the form's own, then its file's CZANN metadata. */
export function importFields(imported: Imported): Partial<PackForm> {
  return { pre: "", post: "", spatial: "", channelsFirst: false, force: false, inputCast: "none", ...czannFields(imported.metadata) };
}

export function importLicenseHint(license: LicenseInput | null): string {
  return license ? `The package's ${license.name} (licence, authors, citation) is included; choose a file to replace it.` : "";
}

/** Read back the .czann an import made: its graph (to edit) and its metadata and licence. */
export async function readImport(summary: ImportSummary, fileName: string): Promise<{ imported: Imported; model: Loaded }> {
  const archive = await readModelFileBytes(summary.bytes, fileName);
  if (!(archive.metadata instanceof ModelMetadata)) throw new Error("the import did not give a .czann");
  const bytes = archive.modelBytes;
  return {
    imported: { summary, fileName, metadata: archive.metadata, license: archive.license },
    model: { name: `${fileName} (imported graph)`, bytes, summary: summarizeOnnx(bytes) },
  };
}

/** Switching to .czmodel: the pixel type that matches the model's input channels, when the current one does not. */
export function pixelTypeForLegacy(model: Loaded | undefined, current: string): PixelType | undefined {
  if (!model) return undefined;
  const c = model.summary.inputs[0]?.shape.at(-1);
  const byChannels = PIXEL_TYPES.find((p) => PIXEL_TYPE_INFO[p].samples === c && !PIXEL_TYPE_INFO[p].complex);
  if (byChannels && PIXEL_TYPE_INFO[current as PixelType].samples !== c) return c === 1 ? "Gray16" : byChannels;
  return undefined;
}

/** What Download writes: the file, its name, and the lines to show. */
export interface DownloadPlan {
  fileName: string;
  bytes: Uint8Array;
  status: string;
  warnings: string[];
}

/** The file Download writes for the form (throws the library's error when it cannot be packed). */
export function downloadPlan(state: PackState, form: PackForm): DownloadPlan | undefined {
  const { model, imported, license } = state;
  if (!model) return undefined;
  const { summary = model.summary, adapted = false } = checkForm(state, form);
  const meta = packMetadata(form, summary, imported);
  const base = (form.name.trim() || "DNNModel").replace(/[\\/:*?"<>|]+/g, "_");
  // an import with no edits downloads the very file importPackage made and checked
  if (
    imported &&
    !adapted &&
    license === imported.license &&
    meta instanceof ModelMetadata &&
    meta.toJsonText() === imported.metadata.toJsonText()
  ) {
    const fileName = outputFileName(base, "czann");
    const bytes = imported.summary.bytes;
    return {
      fileName,
      bytes,
      warnings: [],
      status: `Wrote ${fileName} (${bytes.byteLength} bytes, czann): the file imported from ${imported.fileName}, as checked on its test tensors.`,
    };
  }
  const packed = packModel({ payload: { kind: "onnx", bytes: model.bytes }, metadata: meta, license }, convertOptions(form));
  const fileName = outputFileName(base, packed.format);
  const how = imported ? `: the graph imported from ${imported.fileName}, re-packed with your edits` : "";
  return {
    fileName,
    bytes: packed.bytes,
    warnings: packed.warnings,
    status: `Wrote ${fileName} (${packed.bytes.byteLength} bytes, ${packed.format})${how}.`,
  };
}
