/**
 * Pictures for the viewer, made in the worker: an image region or a result region sampled
 * (nearest neighbour) down or up to the canvas size, as RGBA. Image regions are read in
 * strips of rows, so a view of a 10000² image never holds more than a few MB of samples;
 * grey images get an automatic contrast stretch (0.5–99.5 percentiles of what is shown),
 * colour images are shown as stored. Results: labels through a colour table (value → RGB,
 * null = transparent), regression values as grey over their range.
 */
import type { ImageSource, Rect, SampleArray } from "../../src/io/types.js";
import type { Picture, RenderRequest } from "./protocol.js";

const STRIP_SAMPLES = 4 << 20;

/** Source positions of each output pixel along one axis (centre sampling). */
function sampleMap(start: number, length: number, out: number): Int32Array {
  return Int32Array.from({ length: out }, (_, i) => start + Math.min(length - 1, Math.floor(((i + 0.5) * length) / out)));
}

/** Which samples make the displayed colour: one (grey) or three (R, G, B). */
function displaySamples(order: string): number[] {
  switch (order) {
    case "rgb":
    case "rgba":
      return [0, 1, 2];
    case "bgr":
    case "bgra":
      return [2, 1, 0];
    default:
      return [0];
  }
}

function percentileRange(values: Float32Array): [number, number] {
  const step = Math.max(1, Math.floor(values.length / 200_000));
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += step) if (Number.isFinite(values[i]!)) sample.push(values[i]!);
  if (sample.length === 0) return [0, 1];
  sample.sort((a, b) => a - b);
  const lo = sample[Math.floor(sample.length * 0.005)]!;
  const hi = sample[Math.min(sample.length - 1, Math.floor(sample.length * 0.995))]!;
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/** Render a region of one image plane; `contrast` reuses an earlier stretch (so detail views match the overview). */
export async function renderImage(
  source: ImageSource,
  req: RenderRequest & { contrast?: [number, number] },
): Promise<Picture & { contrast: [number, number] }> {
  const { rect, width: ow, height: oh, plane } = req;
  const info = source.info;
  const spp = info.samplesPerPixel;
  const picks = displaySamples(info.sampleOrder);
  const cols = sampleMap(0, rect.width, ow);
  const rows = sampleMap(rect.y, rect.height, oh);
  const values = new Float32Array(ow * oh * picks.length);
  const stripRows = Math.max(1, Math.floor(STRIP_SAMPLES / (rect.width * spp)));
  let oy = 0;
  while (oy < oh) {
    const y0 = rows[oy]!;
    const y1 = Math.min(rect.y + rect.height, y0 + stripRows);
    const strip: SampleArray = await source.readRegion(plane, { x: rect.x, y: y0, width: rect.width, height: y1 - y0 });
    for (; oy < oh && rows[oy]! < y1; oy++) {
      const rowStart = (rows[oy]! - y0) * rect.width * spp;
      let o = oy * ow * picks.length;
      for (let ox = 0; ox < ow; ox++) {
        const s = rowStart + cols[ox]! * spp;
        for (const p of picks) values[o++] = strip[s + p]!;
      }
    }
  }
  const colourUint8 = picks.length === 3 && info.sampleType === "uint8";
  const contrast = req.contrast ?? (colourUint8 ? ([0, 255] as [number, number]) : percentileRange(values));
  const [lo, hi] = contrast;
  const scale = 255 / (hi - lo);
  const rgba = new Uint8ClampedArray(ow * oh * 4);
  for (let i = 0, o = 0, v = 0; i < ow * oh; i++, o += 4) {
    if (picks.length === 1) {
      const g = (values[v++]! - lo) * scale;
      rgba[o] = rgba[o + 1] = rgba[o + 2] = g;
    } else {
      rgba[o] = (values[v++]! - lo) * scale;
      rgba[o + 1] = (values[v++]! - lo) * scale;
      rgba[o + 2] = (values[v++]! - lo) * scale;
    }
    rgba[o + 3] = 255;
  }
  return { width: ow, height: oh, rgba, contrast };
}

export interface ResultPlane {
  data: SampleArray;
  width: number;
  kind: "labels" | "probabilities" | "regression" | "image";
  /** Regression (and plain image) display range. */
  range?: [number, number];
}

/** Render a region of a result plane: labels through `colors` (index = label value), regression (or a plain image) as grey. */
export function renderResult(
  result: ResultPlane,
  rect: Rect,
  ow: number,
  oh: number,
  colors: ([number, number, number] | null)[],
): Picture {
  const cols = sampleMap(rect.x, rect.width, ow);
  const rows = sampleMap(rect.y, rect.height, oh);
  const rgba = new Uint8ClampedArray(ow * oh * 4);
  const { data, width } = result;
  const [lo, hi] = result.range ?? [0, 1];
  const scale = 255 / (hi > lo ? hi - lo : 1);
  for (let oy = 0, o = 0; oy < oh; oy++) {
    const row = rows[oy]! * width;
    for (let ox = 0; ox < ow; ox++, o += 4) {
      const v = data[row + cols[ox]!]!;
      if (result.kind === "regression" || result.kind === "image") {
        rgba[o] = rgba[o + 1] = rgba[o + 2] = (v - lo) * scale;
        rgba[o + 3] = 255;
        continue;
      }
      const c = colors[v];
      if (!c) continue;
      rgba[o] = c[0];
      rgba[o + 1] = c[1];
      rgba[o + 2] = c[2];
      rgba[o + 3] = 255;
    }
  }
  return { width: ow, height: oh, rgba };
}

/** Min and max of the finite values of a plane (sampled for big planes). */
export function valueRange(data: SampleArray): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const step = Math.max(1, Math.floor(data.length / 4_000_000));
  for (let i = 0; i < data.length; i += step) {
    const v = data[i]!;
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}
