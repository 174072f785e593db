/**
 * bioimage.io interoperability (isomorphic): read package descriptions (formats 0.4 / 0.5)
 * and their files, import a package as a ZEN model file checked on its test tensors, run a
 * package directly with whole-image statistics, and export a ZEN model as a 0.5.7 package.
 * The Node entry adds the file-based forms (`openPackage`, `exportBioimageioFile`,
 * `predictPackageFile`).
 */
export type { ModelDescription, TensorDescription, Axis, AxisSize, ProcessingStep, Tolerance, WeightsFormat } from "./description.js";
export { parseRdf } from "./rdf.js";
export { readNpy, writeNpy, type NpyArray, type NpyDtype } from "./npy.js";
export { zipPackage, loadPackage, readChecked, sha256Hex, type PackageFiles, type LoadedPackage } from "./package.js";
export { stepsToOps, statScope } from "./processing.js";
export { planZenImport, INPUT_PIXEL_TYPES, type ImportOptions, type ZenImportPlan, type InputPixelType } from "./to-zen.js";
export { importPackage, type ImportPackageOptions, type ImportResult } from "./import.js";
export { checkTestTensors, toleranceFor, type TestTensorResult } from "./test-tensors.js";
export { exportBioimageio, type ExportOptions, type BioimageioExport } from "./export.js";
export { preparePackage, predictPackage, type PackagePredictOptions, type PackagePredictResult } from "./predict-package.js";
