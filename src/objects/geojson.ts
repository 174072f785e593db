/**
 * Object outlines as a GeoJSON `FeatureCollection` in the form QuPath imports: one `Feature`
 * per object, `Polygon` (or `MultiPolygon` when the object's pixels touch only at corners) in
 * pixel coordinates (x right, y down, pixel corners on integers), `objectType: "detection"`,
 * `classification: { name, color }` and the table's measurements. Written as text in pieces so
 * that a writer can stream it: `geojsonStart`, one `geojsonFeature` each, `geojsonEnd`.
 */
import { classColor } from "../metadata/class-colors.js";
import { measurementsOf, type TableLayout } from "./table.js";
import type { MeasuredObject } from "./types.js";

export function geojsonStart(): string {
  return '{"type":"FeatureCollection","features":[\n';
}

export function geojsonEnd(): string {
  return "\n]}\n";
}

/** A class's name and display colour: given ones, else `class <value>` and the default palette. */
export interface ClassStyle {
  name: string;
  color: [number, number, number];
}

export function defaultClassStyle(value: number): ClassStyle {
  return { name: `class ${value}`, color: value >= 1 ? classColor(value) : [128, 128, 128] };
}

/** One feature; `first` says whether it opens the list (no leading comma). */
export function geojsonFeature(o: MeasuredObject, layout: TableLayout, style: ClassStyle, first: boolean): string {
  const polygons = o.outline ?? [];
  const geometry = polygons.length === 1 ? { type: "Polygon", coordinates: polygons[0] } : { type: "MultiPolygon", coordinates: polygons };
  const feature = {
    type: "Feature",
    geometry,
    properties: {
      objectType: "detection",
      name: `${style.name} ${o.id}`,
      classification: { name: style.name, color: style.color },
      class: o.class,
      id: o.id,
      measurements: Object.fromEntries(measurementsOf(o, layout).filter(([, v]) => Number.isFinite(v))),
    },
  };
  return `${first ? "" : ",\n"}${JSON.stringify(feature)}`;
}
