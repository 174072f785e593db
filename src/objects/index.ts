/**
 * From pixels to objects: streaming connected components of a label image with per-object
 * measurements (area, centroid, bounding box, intensity, Crofton perimeter, shape), ZEN-like
 * filters, and the CSV table and QuPath GeoJSON they are written as. Isomorphic; see
 * docs/objects.md. The Node file API is `node/objects-file.ts`.
 */
export { ObjectLabeler } from "./labeler.js";
export type { MeasuredObject, ObjectOptions, Ring } from "./types.js";
