/**
 * bioimage.io interoperability (isomorphic): read package descriptions (formats 0.4 / 0.5)
 * and their files, import a package as a ZEN model file checked on its test tensors, run a
 * package directly with whole-image statistics, and export a ZEN model as a 0.5.7 package.
 * The Node entry adds the file-based forms (`openPackage`, `exportBioimageioFile`,
 * `predictPackageFile`).
 */
export type { ModelDescription } from "./description.js";
export { readNpy, writeNpy, type NpyArray } from "./npy.js";
export { zipPackage, loadPackage, type PackageFiles, type LoadedPackage } from "./package.js";
export { importPackage, type ImportPackageOptions, type ImportResult } from "./import.js";
export { checkTestTensors } from "./test-tensors.js";
export { exportBioimageio, type ExportOptions, type BioimageioExport } from "./export.js";
export { predictPackage, type PackagePredictOptions, type PackagePredictResult } from "./predict-package.js";
