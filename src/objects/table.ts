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
  const cols = ["class", "id", "area_px"];
  if (layout.hasAreaUm2) cols.push("area_um2");
  cols.push("centroid_y", "centroid_x", "bbox_y", "bbox_x", "bbox_height", "bbox_width");
  for (let c = 0; c < layout.channels; c++) {
    for (const s of STATS) cols.push(layout.channels === 1 ? `${s}_intensity` : `${s}_intensity_c${c}`);
  }
  cols.push("perimeter", "equivalent_diameter", "eccentricity", "solidity");
  if (layout.hasConfidence) cols.push("confidence");
  return `${cols.join(",")}\n`;
}

/** The measurements of one object by column name (no class or id), in column order. */
export function measurementsOf(o: MeasuredObject, layout: TableLayout): [string, number][] {
  const m: [string, number][] = [["area_px", o.areaPx]];
  if (layout.hasAreaUm2) m.push(["area_um2", o.areaUm2 ?? Number.NaN]);
  m.push(
    ["centroid_y", o.centroidY],
    ["centroid_x", o.centroidX],
    ["bbox_y", o.bboxY],
    ["bbox_x", o.bboxX],
    ["bbox_height", o.bboxHeight],
    ["bbox_width", o.bboxWidth],
  );
  for (let c = 0; c < layout.channels; c++) {
    const stats = o.intensity[c];
    for (const s of STATS) m.push([layout.channels === 1 ? `${s}_intensity` : `${s}_intensity_c${c}`, stats?.[s] ?? Number.NaN]);
  }
  m.push(
    ["perimeter", o.perimeter],
    ["equivalent_diameter", o.equivalentDiameter],
    ["eccentricity", o.eccentricity],
    ["solidity", o.solidity],
  );
  if (layout.hasConfidence) m.push(["confidence", o.confidence ?? Number.NaN]);
  return m;
}

export function csvRow(o: MeasuredObject, layout: TableLayout): string {
  return `${[o.class, o.id, ...measurementsOf(o, layout).map(([, v]) => v)].map(String).join(",")}\n`;
}
