/**
 * State of the Predict flow, apart from the DOM: what is loaded (model, image, last result),
 * which classes are hidden, whether a prediction runs, and the pure functions the view
 * renders from — what is enabled, what the option fields mean as `PredictSettings`, which
 * plane the result belongs to, the overlay colour table, and the texts that summarise
 * progress, results and file names. `predict-view.ts` only builds the DOM and wires events here.
 */
import type { ModelFile } from "../../src/container/index.js";
import type { PredictProgress } from "../../src/engine/index.js";
import type { ImageInfo, OutputImageInfo, PlaneIndex } from "../../src/io/types.js";
import { formatBytes } from "../../src/render/format.js";
import type { ClassInfo } from "./model-summary.js";
import type { DeviceChoice, ObjectCounts, ObjectDetails, PredictSettings, PredictSummary } from "./protocol.js";

/** Longest side of the overview pictures. */
const OVERVIEW = 2048;

/** The size of the overview picture of a `width × height` scene (at most OVERVIEW a side). */
export function overviewSize(width: number, height: number): [number, number] {
  const f = Math.min(1, OVERVIEW / Math.max(width, height));
  return [Math.max(1, Math.round(width * f)), Math.max(1, Math.round(height * f))];
}

/** The plane axes, in the order of their selectors. */
export const AXES = ["scene", "t", "c", "z"] as const;
export type Axis = (typeof AXES)[number];

const AXIS_LABELS: Record<Axis, string> = { scene: "Scene", t: "Time point", c: "Channel", z: "Z slice" };

export type Blend = NonNullable<PredictSettings["blend"]>;
export const BLENDS: readonly Blend[] = ["none", "linear", "gaussian"];
/** The device choices of the Options (docs/gpu.md): `auto` takes WebGPU when there is an adapter. */
export const DEVICES: readonly DeviceChoice[] = ["auto", "wasm", "webgpu"];

export interface PredictState {
  model?: { file: File; model: ModelFile; classes: ClassInfo[] };
  image?: { file: File; info: ImageInfo; contrast?: [number, number] };
  /** The last prediction and the plane it was run on. */
  result?: { summary: PredictSummary; plane: PlaneIndex };
  /** Label values not drawn in the overlay. */
  hidden: Set<number>;
  /** A prediction is running. */
  busy: boolean;
}

export function createPredictState(): PredictState {
  return { hidden: new Set(), busy: false };
}

/** Predict is enabled with a model and an image and no prediction running. */
export function canRun(state: PredictState): boolean {
  return !state.busy && Boolean(state.model && state.image);
}

/** New files are refused while a prediction runs (it reads the open image). */
export const BUSY_MESSAGE = "a prediction is running: cancel it or wait for it to finish before choosing other files";

/** The plane the selectors say (`undefined` for an axis without a selector: 0). */
export function planeOf(values: Partial<Record<Axis, string>>): PlaneIndex {
  return { scene: Number(values.scene ?? 0), t: Number(values.t ?? 0), c: Number(values.c ?? 0), z: Number(values.z ?? 0) };
}

/** Width and height of the scene the plane is in. */
export function sceneSize(info: ImageInfo, plane: PlaneIndex): [number, number] {
  const s = info.scenes[plane.scene] ?? info;
  return [s.width, s.height];
}

/** One selector per axis with more than one index: its option labels (channel names for C). */
export function planeAxes(info: ImageInfo): { axis: Axis; label: string; options: string[] }[] {
  return AXES.filter((axis) => info.sizes[axis] > 1).map((axis) => {
    const names = axis === "c" && info.channelNames ? info.channelNames : undefined;
    return { axis, label: AXIS_LABELS[axis], options: Array.from({ length: info.sizes[axis] }, (_, i) => names?.[i] ?? String(i)) };
  });
}

/** Colour table for the worker: index = label value; hidden classes and 0 are transparent. */
export function overlayColors(summary: PredictSummary | undefined, hidden: ReadonlySet<number>): ([number, number, number] | null)[] {
  const out: ([number, number, number] | null)[] = [];
  const classes = summary?.output.classes ?? [];
  for (const c of classes) out[c.value] = hidden.has(c.value) ? null : c.color;
  for (let i = 0; i < out.length; i++) out[i] ??= null;
  return out;
}

/** Whether the result belongs to the plane shown (a 3-D result covers every Z). */
export function resultShown(result: PredictState["result"], plane: PlaneIndex): boolean {
  if (!result) return false;
  const r = result.plane;
  const is3d = result.summary.output.sizes.z > 1;
  return plane.scene === r.scene && plane.t === r.t && (is3d || plane.z === r.z);
}

/** The status line after a plane is drawn: a hint when the result is for another plane. */
export function planeStatus(result: PredictState["result"], plane: PlaneIndex): string {
  return result && !resultShown(result, plane)
    ? "The result is for another plane: choose that plane to see it, or press Predict for this one."
    : "";
}

/** What the option fields say, as the worker's settings (empty fields: the model's defaults). */
export function predictSettings(
  plane: PlaneIndex,
  fields: { minConfidence: string; blend: string; tile: string; device?: string },
): PredictSettings {
  const mc = fields.minConfidence.trim();
  const t = fields.tile.trim();
  return {
    plane,
    device: DEVICES.find((d) => d === fields.device) ?? "auto",
    ...(mc ? { minConfidence: Number(mc) } : {}),
    blend: fields.blend as Blend,
    ...(t
      ? {
          tile: t
            .split(/[\s,x×]+/)
            .filter(Boolean)
            .map(Number),
        }
      : {}),
  };
}

/** Share of the tiles done, 0–1. */
export function progressFraction(p: PredictProgress): number {
  return p.tilesTotal ? p.tilesDone / p.tilesTotal : 0;
}

export function progressText(p: PredictProgress): string {
  const eta = p.tilesDone < p.tilesTotal ? `, about ${Math.ceil(p.etaMs / 1000)} s left` : "";
  return `${p.tilesDone} / ${p.tilesTotal} tiles, ${p.megapixelsDone.toFixed(1)} / ${p.megapixelsTotal.toFixed(1)} MP, ${p.megapixelsPerSecond.toFixed(2)} MP/s${eta}`;
}

export function doneText(summary: PredictSummary): string {
  return `Done: ${summary.tiles} tiles in ${(summary.elapsedMs / 1000).toFixed(1)} s, ${summary.megapixelsPerSecond.toFixed(2)} MP/s.`;
}

/** Machine-readable numbers for the benchmark (npm run bench:web), as `data-*` values. */
export function summaryData(summary: PredictSummary): Record<string, string> {
  return {
    tiles: String(summary.tiles),
    elapsedMs: String(summary.elapsedMs),
    megapixels: String(summary.megapixels),
    device: summary.device,
  };
}

/** The rows of the result's fact table. */
export function summaryRows(summary: PredictSummary): [string, string][] {
  const out = summary.output;
  return [
    ["Output", `${out.kind}: ${out.width} × ${out.height}, ${out.samplesPerPixel} × ${out.sampleType}`],
    ["Tile / border", `${summary.tile.join(" × ")} / ${summary.border.join(", ")} px`],
    ["Tiles", String(summary.tiles)],
    ["Channels", summary.channelMapping],
    ["Scaling", summary.inputScaling],
    [
      "Speed",
      `${summary.megapixels.toFixed(2)} MP in ${(summary.elapsedMs / 1000).toFixed(2)} s = ${summary.megapixelsPerSecond.toFixed(2)} MP/s, ${summary.threads} thread(s)`,
    ],
    ["Device", summary.deviceFallback ? `${summary.device} (${summary.deviceFallback})` : summary.device],
    ...(summary.objects ? [objectsRow(summary.objects)] : []),
    ...(summary.notes.length ? ([["Notes", summary.notes.join("; ")]] as [string, string][]) : []),
  ];
}

/** The result table's object count: `Nucleus: 35` per object class (8-connected components). */
function objectsRow(counts: ObjectCounts): [string, string] {
  return ["Objects", counts.perClass.map((c) => `${c.name}: ${c.count}`).join(", ")];
}

/** Significant digits of the non-integer measurements shown on hover. */
const HOVER_DIGITS = 6;

/** The hover panel's rows for an object: id, class, then each measurement by its column name. */
export function objectRows(o: ObjectDetails): [string, string][] {
  const number = (v: number) => (Number.isInteger(v) ? String(v) : Number(v.toPrecision(HOVER_DIGITS)).toString());
  return [
    ["id", String(o.id)],
    ["class", `${o.value}: ${o.className}`],
    ...o.measurements.map(([k, v]): [string, string] => [k, number(v)]),
  ];
}

/** The rows of the image's fact table. */
export function imageRows(name: string, size: number, info: ImageInfo): [string, string][] {
  const sizes = AXES.filter((a) => info.sizes[a] > 1).map((a) => `${a.toUpperCase()}=${info.sizes[a]}`);
  return [
    ["Image", `${name} (${formatBytes(size)})`],
    ["Format", info.format],
    ["Size", `${info.width} × ${info.height} px${sizes.length ? `, ${sizes.join(", ")}` : ""}`],
    [
      "Pixels",
      `${info.samplesPerPixel} × ${info.sampleType} (${info.sampleOrder})${info.significantBits ? `, ${info.significantBits} bits` : ""}`,
    ],
  ];
}

/** Model name (and format) and kind, for the model's fact table. */
export function modelFacts(fileName: string, m: ModelFile): { model: string; kind: string } {
  return {
    model: `${m.metadata.modelName ?? fileName} (${m.format})`,
    kind: m.format === "czann" ? m.metadata.type : "segmentation (legacy)",
  };
}

/** Background is hidden at first so the objects stand out; its box brings it back. */
export function initiallyHidden(summary: PredictSummary): Set<number> {
  return new Set((summary.output.classes ?? []).filter((c) => /^background$/i.test(c.name.trim())).map((c) => c.value));
}

/** The classes the legend lists: those of a labels output, else none (no legend). */
export function legendClasses(summary: PredictSummary): NonNullable<OutputImageInfo["classes"]> {
  const classes = summary.output.classes ?? [];
  return summary.output.kind === "labels" ? classes : [];
}

/** Show or hide one class of the overlay. */
export function setClassShown(hidden: Set<number>, value: number, shown: boolean): void {
  if (shown) hidden.delete(value);
  else hidden.add(value);
}

/** A PNG holds one plane of one integer sample. */
export function pngExportable(out: OutputImageInfo): boolean {
  return out.samplesPerPixel === 1 && out.sampleType !== "float32" && out.sizes.scene * out.sizes.t * out.sizes.c * out.sizes.z === 1;
}

/** `cells.ome.tif` → `cells_objects.csv` / `cells_outlines.geojson`. */
export function objectsFileName(imageName: string, format: "csv" | "geojson"): string {
  const stem = imageName.replace(/\.ome\.tiff?$|\.[^.]*$/i, "");
  return format === "csv" ? `${stem}_objects.csv` : `${stem}_outlines.geojson`;
}

/** `cells.ome.tif` + labels + png → `cells_labels.png`. */
export function resultFileName(imageName: string, kind: OutputImageInfo["kind"], format: "png" | "ome-tiff"): string {
  const stem = imageName.replace(/\.ome\.tiff?$|\.[^.]*$/i, "");
  const suffix = kind === "labels" ? "labels" : "prediction";
  return `${stem}_${suffix}${format === "png" ? ".png" : ".ome.tiff"}`;
}
