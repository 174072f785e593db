/**
 * From pixels to objects: streaming connected components of a label image with per-object
 * measurements (area, centroid, bounding box, intensity, Crofton perimeter, shape), ZEN-like
 * filters, and the CSV table and QuPath GeoJSON they are written as. Isomorphic; see
 * docs/objects.md. The Node file API is `node/objects-file.ts`.
 */
export { ObjectLabeler, IdTrace, type BandExtras, type LabelerHooks, type LabelingSummary } from "./labeler.js";
export { objectsFromImage, type ObjectsFromImageOptions } from "./from-image.js";
export { writeInstances } from "./instances.js";
export type { MeasuredObject, ObjectOptions, Outline, Ring } from "./types.js";
