/**
 * `importPackage`: a bioimage.io package → the bytes of a ZEN model file, checked.
 *   read the description → refuse what ZEN cannot run (several tensors, no ONNX weights) →
 *   read weights and test tensors, checking their SHA-256 → plan the mapping (to-zen.ts) →
 *   edit the ONNX graph (layout, input scaling, the package's processing steps, spatial dims)
 *   → validate against ZEN's rules → build the archive → run it on the test input as ZEN
 *   would and compare with the test output (test-tensors.ts).
 * The licence, authors and citations travel in a LICENSE.txt entry; the description as
 * `ModelDescription` in model.json (the key ZEN itself writes). Isomorphic: the caller
 * provides the package's files and the ONNX runtime.
 */
import type { LicenseInput } from "../container/index.js";
import { buildArchive, prepareModel, type PreparedModel } from "../convert/pack.js";
import type { OrtRuntime } from "../engine/types.js";
import { unsupported } from "../errors.js";
import { LegacyModelMetadata, ModelMetadata } from "../metadata/index.js";
import { adaptModel, summarizeOnnx, parseOpList } from "../onnx/index.js";
import type { Target } from "../validate/targets.js";
import type { ModelDescription, WeightsFormat } from "./description.js";
import { readNpy, type NpyArray } from "./npy.js";
import { MAX_TENSOR_BYTES, MAX_WEIGHTS_BYTES, readChecked, type LoadedPackage } from "./package.js";
import { checkTestTensors, toleranceFor, type TestTensorResult } from "./test-tensors.js";
import { planZenImport, requireSingleTensors, type ImportOptions, type ZenImportPlan } from "./to-zen.js";

export interface ImportPackageOptions extends ImportOptions {
  target?: Target;
  /** Write even when validation or the test-tensor check fails. */
  force?: boolean;
  /** Model id (default: a new UUID). */
  id?: string;
  runtime: OrtRuntime;
}

export interface ImportResult {
  plan: ZenImportPlan;
  prepared: PreparedModel;
  /** The archive bytes (.czann or .czmodel). */
  bytes: Uint8Array;
  /** Absent when the package has no test tensors. */
  test?: TestTensorResult;
  /** Graph edits made. */
  steps: string[];
  warnings: string[];
}

const FORMAT_NAMES: Record<WeightsFormat, string> = {
  onnx: "onnx",
  pytorch_state_dict: "pytorch_state_dict",
  torchscript: "torchscript",
  tensorflow_saved_model_bundle: "tensorflow_saved_model_bundle",
  keras_hdf5: "keras_hdf5",
  tensorflow_js: "tensorflow_js",
};

const EXPORT_HINT: Partial<Record<WeightsFormat, string>> = {
  pytorch_state_dict: "torch.onnx.export(model, example, 'weights.onnx', opset_version=17)",
  torchscript: "torch.onnx.export(torch.jit.load('weights.pt'), example, 'weights.onnx', opset_version=17)",
  tensorflow_saved_model_bundle: "python -m tf2onnx.convert --saved-model DIR --output weights.onnx --opset 17",
  keras_hdf5: "python -m tf2onnx.convert --keras model.h5 --output weights.onnx --opset 17",
};

export async function importPackage(pkg: LoadedPackage, options: ImportPackageOptions): Promise<ImportResult> {
  const desc = pkg.description;
  const where = `${pkg.files.where}: ${pkg.files.rdfName}`;
  requireSingleTensors(desc, where);
  const weights = desc.weights.onnx;
  if (!weights) throw noOnnxWeights(desc, where);
  const onnx = await readChecked(pkg, weights, "weights.onnx", MAX_WEIGHTS_BYTES);
  const testInput = await readTensor(pkg, desc.inputs[0]!.testTensor, "test input");
  const testOutput = await readTensor(pkg, desc.outputs[0]!.testTensor, "test output");
  const summary = summarizeOnnx(onnx);
  if (summary.inputs.length !== 1 || summary.outputs.length !== 1) {
    throw unsupported(`the ONNX weights have ${summary.inputs.length} inputs and ${summary.outputs.length} outputs`, {
      where: `${pkg.files.where}: ${weights.source}`,
      allowed: "one of each",
    });
  }
  const plan = planZenImport(desc, summary.inputs[0]!.shape, testInput, testOutput, options, where);
  const adapted = adaptModel(
    onnx,
    {
      ...(plan.channelsFirst ? { channelsFirst: true, forceLayout: true } : {}),
      ...(plan.setSpatialDims ? { spatialDims: plan.tile } : {}),
      preprocessing: parseOpList(plan.preprocessing.join(","), "pre"),
      postprocessing: parseOpList(plan.postprocessing.join(","), "post"),
    },
    `${pkg.files.where}: ${weights.source}`,
  );
  const metadata = metadataFor(plan, desc, options);
  const license = licenseFor(desc, pkg.files.where);
  const prepared = prepareModel(
    { payload: { kind: "onnx", bytes: adapted.bytes }, metadata, license },
    { ...(options.target ? { target: options.target } : {}), ...(options.force ? { force: true } : {}) },
    { bytes: adapted.bytes, warnings: adapted.warnings, steps: adapted.steps },
    "import",
  );
  const bytes = buildArchive(prepared, license);
  const test =
    testInput && testOutput
      ? await checkTestTensors(bytes, plan, testInput, testOutput, toleranceFor(desc, plan.output.id), options.runtime, where)
      : undefined;
  // the package's own per-sample warning says more than the graph detector's (it names predict PACKAGE)
  const graphStats = new Set(prepared.report.findings.filter((f) => f.code === "image-statistics").map((f) => f.message));
  const warnings = [...plan.warnings, ...prepared.warnings.filter((w) => !(plan.usesSampleStatistics && graphStats.has(w)))];
  if (!testInput || !testOutput)
    warnings.push("the package has no test tensors: the imported model was not checked against the package's own outputs");
  return { plan, prepared, bytes, ...(test ? { test } : {}), steps: adapted.steps, warnings };
}

/** The one-line error for a package without ONNX weights: the formats it has and how to export ONNX. */
export function noOnnxWeights(desc: ModelDescription, where: string) {
  const present = Object.keys(desc.weights) as WeightsFormat[];
  const hint = present.map((f) => EXPORT_HINT[f]).find(Boolean);
  return unsupported(`the package has no ONNX weights (it has ${present.map((f) => FORMAT_NAMES[f] ?? f).join(", ") || "none"})`, {
    where,
    allowed: `ONNX weights: export them${hint ? ` (e.g. ${hint})` : ""} and add them to the rdf under weights.onnx`,
  });
}

async function readTensor(
  pkg: LoadedPackage,
  ref: { source: string; sha256?: string } | undefined,
  what: string,
): Promise<NpyArray | undefined> {
  if (!ref) return undefined;
  if (!/\.npy$/i.test(ref.source)) return undefined;
  const bytes = await readChecked(pkg, ref, what, MAX_TENSOR_BYTES);
  return readNpy(bytes, `${pkg.files.where}: ${ref.source}`);
}

function metadataFor(plan: ZenImportPlan, desc: ModelDescription, options: ImportPackageOptions): ModelMetadata | LegacyModelMetadata {
  const k = plan.classes?.length ?? plan.packageOutputChannels;
  if (options.format === "czmodel") {
    const gray = plan.pixelType === "uint8" ? "Gray8" : plan.pixelType === "uint16" ? "Gray16" : "Gray32Float";
    const colour = plan.pixelType === "uint8" ? "Bgr24" : plan.pixelType === "uint16" ? "Bgr48" : "Bgr96Float";
    const pixel =
      plan.inputChannels === 1
        ? gray
        : plan.inputChannels === 3
          ? colour
          : plan.inputChannels === 4 && plan.pixelType === "uint8"
            ? "Bgra32"
            : undefined;
    if (!pixel)
      throw unsupported(`a legacy .czmodel has no pixel type for ${plan.inputChannels} ${plan.pixelType} channels`, {
        where: "import",
        allowed: "write a .czann",
      });
    return LegacyModelMetadata.fromParams(
      {
        ...(options.id ? { id: options.id } : {}),
        modelName: plan.modelName,
        colorHandling: "SplitRgb",
        pixelTypes: [pixel],
        classes: plan.classes!,
        borderSize: Math.max(...plan.border),
      },
      "import",
    );
  }
  return ModelMetadata.fromParams(
    {
      ...(options.id ? { id: options.id } : {}),
      type: plan.type,
      inputShape: [...plan.tile, plan.inputChannels],
      outputShape: [...plan.tile, k],
      minOverlap: plan.border.map((b) => 2 * b),
      ...(plan.classes ? { classes: plan.classes } : {}),
      modelName: plan.modelName,
      ...(plan.scaling ? { scaling: plan.scaling } : {}),
      ...(desc.description ? { extra: { ModelDescription: desc.description } } : {}),
    },
    "import",
  );
}

/** LICENSE.txt: the SPDX id, where the model came from, its authors and how to cite it. */
function licenseFor(desc: ModelDescription, source: string): LicenseInput | null {
  if (!desc.license && desc.authors.length === 0 && desc.cite.length === 0) return null;
  const lines = [
    ...(desc.license ? [`SPDX-License-Identifier: ${desc.license}`, ""] : []),
    `${desc.name}${desc.version ? ` (version ${desc.version})` : ""}`,
    `Imported from the bioimage.io package ${source.split(/[\\/]/).pop()} (format ${desc.formatVersion}) by czmodel import.`,
    ...(desc.authors.length
      ? [
          "",
          "Authors:",
          ...desc.authors.map((a) => `  ${a.name}${a.affiliation ? `, ${a.affiliation}` : ""}${a.orcid ? ` (ORCID ${a.orcid})` : ""}`),
        ]
      : []),
    ...(desc.cite.length ? ["", "Cite:", ...desc.cite.map((c) => `  ${c.text}${c.doi ? ` doi:${c.doi}` : c.url ? ` ${c.url}` : ""}`)] : []),
    "",
  ];
  return { name: "LICENSE.txt", bytes: new TextEncoder().encode(lines.join("\n")) };
}
