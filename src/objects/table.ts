/**
 * The objects table as CSV: snake_case columns with their unit where one applies, one row per
 * object in id order. Numbers are written as JavaScript's shortest round-trip decimal. Intensity
 * columns are `mean_intensity` … for one channel, `mean_intensity_c0`, `_c1` … for several.
 */
import type { MeasuredObject } from "./types.js";

/** What the table holds beyond the fixed columns. */
export interface TableLayout {
  channels: number;
  hasAreaUm2: boolean;
  hasConfidence: boolean;
}

const STATS = ["mean", "min", "max", "std"] as const;

export function csvHeader(layout: TableLayout): string {
  return `${["class", "id", ...measurementNames(layout)].join(",")}\n`;
}

/** The names of the measurement columns (no class or id), in column order. */
export function measurementNames(layout: TableLayout): string[] {
  const cols = ["area_px"];
  if (layout.hasAreaUm2) cols.push("area_um2");
  cols.push("centroid_y", "centroid_x", "bbox_y", "bbox_x", "bbox_height", "bbox_width");
  for (let c = 0; c < layout.channels; c++) {
    for (const s of STATS) cols.push(layout.channels === 1 ? `${s}_intensity` : `${s}_intensity_c${c}`);
  }
  cols.push("perimeter", "equivalent_diameter", "eccentricity", "solidity");
  if (layout.hasConfidence) cols.push("confidence");
  return cols;
}

/** The measurements of one object (no class or id), in the order of `measurementNames`; NaN where one is missing. */
export function measurementValues(o: MeasuredObject, layout: TableLayout): number[] {
  const m = [o.areaPx];
  if (layout.hasAreaUm2) m.push(o.areaUm2 ?? Number.NaN);
  m.push(o.centroidY, o.centroidX, o.bboxY, o.bboxX, o.bboxHeight, o.bboxWidth);
  for (let c = 0; c < layout.channels; c++) {
    const stats = o.intensity[c];
    if (stats) m.push(stats.mean, stats.min, stats.max, stats.std);
    else m.push(Number.NaN, Number.NaN, Number.NaN, Number.NaN);
  }
  m.push(o.perimeter, o.equivalentDiameter, o.eccentricity, o.solidity);
  if (layout.hasConfidence) m.push(o.confidence ?? Number.NaN);
  return m;
}

/** The measurements of one object by column name (no class or id), in column order. */
export function measurementsOf(o: MeasuredObject, layout: TableLayout): [string, number][] {
  const names = measurementNames(layout);
  return measurementValues(o, layout).map((v, i) => [names[i]!, v]);
}

/** One CSV line: numbers as `String(n)` writes them (shortest round trip, NaN for a missing value). */
export function csvRow(o: MeasuredObject, layout: TableLayout): string {
  return `${o.class},${o.id},${measurementValues(o, layout).join(",")}\n`;
}
