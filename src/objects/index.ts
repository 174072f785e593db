/**
 * From pixels to objects: streaming connected components of a label image with per-object
 * measurements (area, centroid, bounding box, intensity, Crofton perimeter, shape), ZEN-like
 * filters, and the CSV table and QuPath GeoJSON they are written as. Isomorphic; see
 * docs/objects.md.
 */
export { ObjectLabeler, type BandExtras, type LabelingSummary } from "./labeler.js";
export { objectsFromImage, checkObjectInputs, type ObjectsFromImageOptions } from "./from-image.js";
export { csvHeader, csvRow, type TableLayout } from "./table.js";
export { geojsonStart, geojsonFeature, geojsonEnd, defaultClassStyle, type ClassStyle } from "./geojson.js";
export type { Connectivity, MeasuredObject, ObjectOptions, Outline, Ring, IntensityStats } from "./types.js";
