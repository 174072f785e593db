/**
 * The seed's conversion API, in TypeScript idiom (Node): `convertFromModelSpec` and
 * `convertFromJsonSpec` turn a model (an `.onnx` file, a TensorFlow SavedModel folder, ONNX
 * bytes or a decoded `ModelProto`) plus metadata into a `.czann` (CZANN metadata) or a
 * `.czmodel` (legacy metadata) in `outputPath`, named as czmodel names it (extension added
 * only when missing, default `DNNModel`). The output folder is created; the file is written
 * atomically, so a failure leaves nothing behind (not even the folders it created).
 */
import { mkdir, rmdir, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { requireFileName } from "../../paths/portable-path.js";
import { readRegularFile } from "../../bytes/node/regular-file.js";
import { refuseInputAsOutput } from "../../bytes/node/same-file.js";
import { DEFAULT_ZIP_LIMITS } from "../../container/limits.js";
import { outputFileName, type LicenseInput } from "../../container/index.js";
import { defaultHostByte, writeFileAtomic } from "../../container/node/index.js";
import type { WriteData, WriteFileAtomicOptions } from "../../container/node/write-file-atomic.js";
import { invalidArgument, invalidModel, ioError, unsupported } from "../../errors.js";
import { LegacyModelMetadata, ModelMetadata, parseConversionSpec } from "../../metadata/index.js";
import { encodeModel, summarizeOnnx, type ModelProto } from "../../onnx/index.js";
import { zipSavedModelFolder } from "../../savedmodel/node/index.js";
import { checkSpatialInvarianceNode } from "../../onnx/node/index.js";
import type { ValidationReport } from "../../validate/findings.js";
import type { OnnxSummary } from "../../onnx/index.js";
import { sniffPayload } from "../../container/index.js";
import type { ConvertOptions } from "../options.js";
import { adaptPayload, buildArchive, prepareModel, type AdaptedPayload, type ModelPayload } from "../pack.js";
import { czannToLegacy, legacyToCzann, type LegacyChoices } from "../flavours.js";

export interface ModelSpec {
  /** Path to an `.onnx` file or a SavedModel folder, ONNX bytes, or a decoded ONNX model. */
  model: string | Uint8Array | ModelProto;
  metadata: ModelMetadata | LegacyModelMetadata;
  /** A licence file packed next to the model (entry name = its file name). */
  licenseFile?: string | null;
}

export interface ConvertResult {
  /** The file written. */
  path: string;
  format: "czann" | "czmodel";
  metadata: ModelMetadata | LegacyModelMetadata;
  onnx?: OnnxSummary;
  report: ValidationReport;
  warnings: string[];
  /** Graph edits made (pre/post-processing, layout, spatial dims). */
  steps: string[];
}

/** Read a model given as a path, bytes or ModelProto into a payload. */
export async function loadModelPayload(model: ModelSpec["model"], where = "model"): Promise<ModelPayload> {
  if (model instanceof Uint8Array) return payloadFromBytes(model, where);
  if (typeof model !== "string") return { kind: "onnx", bytes: encodeModel(model) };
  const s = await stat(model).catch((cause: unknown) => {
    throw ioError("model not found", { where: model, cause });
  });
  if (s.isDirectory()) return { kind: "savedmodel", bytes: await zipSavedModelFolder(model) };
  if (/\.(pt|pth|ckpt)$/i.test(model)) {
    throw unsupported("PyTorch checkpoints cannot be packed directly", {
      where: model,
      allowed:
        "an ONNX file: export with torch.onnx.export(model, x, 'model.onnx', opset_version=12), then pack that (add --channels-first for NCHW models)",
    });
  }
  if (/\.(h5|keras)$/i.test(model)) {
    throw unsupported("Keras files cannot be packed directly", {
      where: model,
      allowed: "an ONNX file (tf2onnx --opset 12) or a SavedModel folder",
    });
  }
  const bytes = await readRegularFile(model, { what: "model", maxBytes: DEFAULT_ZIP_LIMITS.maxModelBytes });
  return payloadFromBytes(bytes, model);
}

function payloadFromBytes(bytes: Uint8Array, where: string): ModelPayload {
  const kind = sniffPayload(bytes);
  if (kind === "onnx") return { kind, bytes };
  if (kind === "savedmodel") return { kind, bytes };
  throw invalidModel(kind === "pickle" ? "is a Python pickle, not an ONNX model" : "is not an ONNX model", {
    where,
    allowed: "an ONNX file, or a TensorFlow SavedModel folder",
  });
}

export async function loadLicense(path: string | null | undefined): Promise<LicenseInput | null> {
  if (!path) return null;
  // the licence is packed as an entry, so the entry limit of every reader applies to it too
  const bytes = await readRegularFile(path, { what: "licence file", maxBytes: DEFAULT_ZIP_LIMITS.maxOtherBytes });
  const s = await stat(path);
  return { name: path.replace(/\\/g, "/"), bytes, timestamp: s.mtime, mode: s.mode };
}

/** Turn metadata into the wanted flavour, using the (adapted) model's shapes when needed. */
function metadataForFormat(
  metadata: ModelMetadata | LegacyModelMetadata,
  format: "czann" | "czmodel",
  modelBytes: Uint8Array,
  payloadKind: ModelPayload["kind"],
  choices: LegacyChoices = {},
  warnings: string[] = [],
): ModelMetadata | LegacyModelMetadata {
  if (format === "czmodel") return metadata instanceof ModelMetadata ? czannToLegacy(metadata, choices, warnings) : metadata;
  if (metadata instanceof ModelMetadata) return metadata;
  if (payloadKind !== "onnx")
    throw unsupported("a legacy spec with a SavedModel can only be written as .czmodel", { where: "--format czann", allowed: "czmodel" });
  const summary = summarizeOnnx(modelBytes);
  const [input] = summary.inputs;
  const [output] = summary.outputs;
  if (!input || !output) throw invalidModel("the model has no input or no output", { where: "model" });
  return legacyToCzann(metadata, input, output);
}

/** Validate, prove spatial invariance when dims were fixed, build and write atomically. */
export async function writeArchive(
  payload: ModelPayload,
  metadata: ModelMetadata | LegacyModelMetadata,
  licenseFile: string | null | undefined,
  outputPath: string,
  outputName: string | undefined,
  options: ConvertOptions,
  extraWarnings: string[] = [],
  adapted?: AdaptedPayload,
  where = "pack",
  inputs: (string | null | undefined)[] = [],
): Promise<ConvertResult> {
  if (outputName !== undefined) requireFileName(outputName, "NAME");
  const license = await loadLicense(licenseFile);
  const prepared = prepareModel({ payload, metadata, license }, options, adapted ?? adaptPayload(payload, options), where);
  if (options.spatialDims && payload.kind === "onnx") {
    // fixing the tile size is only sound for fully convolutional models: prove it by running
    await checkSpatialInvarianceNode(prepared.modelBytes, { target: options.spatialDims, where: "--spatial-dims" });
  }
  const bytes = buildArchive(prepared, license, { hostByte: defaultHostByte(), ...options });
  const guard = { refuse: options.existing === "refuse", inputs: [...inputs, licenseFile] };
  const path = await writeCreatingFolder(outputPath, outputFileName(outputName, prepared.format), bytes, guard);
  return {
    path,
    format: prepared.format,
    metadata: prepared.metadata,
    ...(prepared.onnx ? { onnx: prepared.onnx } : {}),
    report: prepared.report,
    warnings: [...extraWarnings, ...prepared.warnings],
    steps: prepared.steps,
  };
}

/** What may not be replaced: any existing file (`refuse`), and never one of `inputs`. */
export interface OutputGuard {
  refuse: boolean;
  inputs: (string | null | undefined)[];
}

/** Throws when `path` exists and is one of the inputs, or exists at all and `refuse` is set. */
async function checkArchiveTarget(path: string, guard: OutputGuard): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (!found) return;
  await refuseInputAsOutput(path, guard.inputs);
  if (guard.refuse) throw ioError("output already exists", { where: path, allowed: "a new path, or --overwrite" });
}

/**
 * Write `bytes` to `folder/name` through a temp file beside it, creating the folder; a failed
 * write leaves neither the file nor the folders it created. Returns the path written.
 */
export async function writeCreatingFolder(
  folder: string,
  name: string,
  bytes: WriteData,
  guard: OutputGuard = { refuse: false, inputs: [] },
  writeOptions: WriteFileAtomicOptions = {},
): Promise<string> {
  await checkArchiveTarget(join(folder, name), guard);
  const created = await mkdir(folder, { recursive: true }).catch((cause: unknown) => {
    throw ioError("cannot create the output folder", { where: folder, cause });
  });
  const path = join(folder, name);
  try {
    await writeFileAtomic(path, bytes, writeOptions);
  } catch (e) {
    if (created) await removeEmptyFolders(folder, created);
    throw e;
  }
  return path;
}

/** After a failed write, remove the folders `mkdir` created (`outputPath` up to `top`), as long as they are empty. */
async function removeEmptyFolders(outputPath: string, top: string): Promise<void> {
  const stop = resolve(top);
  for (let dir = resolve(outputPath); ; dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch {
      return; // not empty (or gone): leave it and everything above
    }
    if (dir === stop || dirname(dir) === dir) return;
  }
}

/**
 * Pack `spec.model` with `spec.metadata` into `outputPath/outputName(.czann|.czmodel)`:
 * CZANN metadata gives a `.czann`, legacy metadata a `.czmodel`.
 * @example
 *   const metadata = ModelMetadata.fromParams({ type: "Regression", inputShape: [512, 512, 1], outputShape: [512, 512, 1], minOverlap: [16, 16] });
 *   const { path } = await convertFromModelSpec({ model: "denoise.onnx", metadata }, "out", "denoise");
 */
export async function convertFromModelSpec(
  spec: ModelSpec,
  outputPath: string,
  outputName?: string,
  options: ConvertOptions = {},
): Promise<ConvertResult> {
  if (!(spec.metadata instanceof ModelMetadata) && !(spec.metadata instanceof LegacyModelMetadata)) {
    throw invalidArgument("spec.metadata must be a ModelMetadata or LegacyModelMetadata", { where: "convertFromModelSpec" });
  }
  const payload = await loadModelPayload(spec.model);
  const inputs = typeof spec.model === "string" ? [spec.model] : [];
  return writeArchive(payload, spec.metadata, spec.licenseFile, outputPath, outputName, options, [], undefined, "pack", inputs);
}

export interface JsonSpecOptions extends ConvertOptions {
  /** Output format; default: czann for a CZANN spec, czmodel for a legacy spec. */
  format?: "czann" | "czmodel";
  /** For CZANN → legacy: pixel types, colour handling, border. */
  legacy?: LegacyChoices;
  /** A licence file that replaces the spec's `LicenseFile`. */
  licenseFile?: string;
}

/**
 * Pack the model described by a ZEISS conversion-spec JSON (CZANN nested or legacy flat
 * flavour). Paths inside the spec are relative to the spec file.
 */
export async function convertFromJsonSpec(
  specPath: string,
  outputPath: string,
  outputName?: string,
  options: JsonSpecOptions = {},
): Promise<ConvertResult> {
  const specBytes = await readRegularFile(specPath, { what: "conversion spec", maxBytes: DEFAULT_ZIP_LIMITS.maxMetadataBytes });
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(specBytes);
  const spec = parseConversionSpec(text, specPath);
  const format = options.format ?? (spec.flavour === "czann" ? "czann" : "czmodel");
  await stat(spec.modelPath).catch(() => {
    throw ioError(`ModelPath "${spec.rawPaths.modelPath}" does not exist (resolved relative to the spec file: ${spec.modelPath})`, {
      where: specPath,
    });
  });
  if (spec.licenseFile && !options.licenseFile) {
    await stat(spec.licenseFile).catch(() => {
      throw ioError(`LicenseFile "${spec.rawPaths.licenseFile}" does not exist (resolved relative to the spec file: ${spec.licenseFile})`, {
        where: specPath,
      });
    });
  }
  const payload = await loadModelPayload(spec.modelPath);
  const warnings = [...spec.warnings];
  let metadata: ModelMetadata | LegacyModelMetadata = spec.metadata;
  let adapted: AdaptedPayload | undefined;
  if (format !== (spec.flavour === "czann" ? "czann" : "czmodel")) {
    adapted = adaptPayload(payload, options);
    metadata = metadataForFormat(spec.metadata, format, adapted.bytes, payload.kind, options.legacy, warnings);
  }
  return writeArchive(
    payload,
    metadata,
    options.licenseFile ?? spec.licenseFile,
    outputPath,
    outputName,
    options,
    warnings,
    adapted,
    specPath,
    [specPath, spec.modelPath],
  );
}
