/**
 * Objects of a label image read from any `ImageSource`, band by band (default 256 rows), with an
 * optional intensity image of the same size whose channels (C planes × samples per pixel) are
 * measured per object (a colour pixel's samples always as R, G, B(, A), whatever order the file
 * stores them in). Checks the inputs first so that a bad one fails before anything is
 * written: one plane of integer labels, an intensity image of the same size, classes the label
 * type can hold.
 */
import { invalidArgument, invalidImage, unsupported } from "../errors.js";
import { readsRegionsInto } from "../io/reuse.js";
import { allocSamples, planeCount, type ImageInfo, type ImageSource, type OutputImageInfo, type SampleArray } from "../io/types.js";
import type { InputWindows } from "./input-windows.js";
import { type IdTrace, type LabelingSummary, ObjectLabeler } from "./labeler.js";
import type { MeasuredObject, ObjectOptions } from "./types.js";

export interface ObjectsFromImageOptions extends ObjectOptions {
  /** Rows read per band (default 256); the result does not depend on it. */
  bandRows?: number;
  /** Called after each band with the rows done so far. */
  onProgress?: (rowsDone: number, rows: number) => void;
  /** Record merges and ids for a second pass that writes the instance image (`writeInstances`). */
  trace?: IdTrace;
  /**
   * Class probabilities (one C plane per class, as `predict --output both` writes them) for the
   * `confidence` column; `planeOf(value)` is the plane of a label value's class (default value − 1).
   */
  probabilities?: { source: ImageSource; planeOf?: (value: number) => number };
}

/** Check the probability image against the labels and the classes it must cover. */
function checkProbabilities(labels: ImageSource, options: ObjectsFromImageOptions): void {
  const p = options.probabilities;
  if (!p) return;
  const info = p.source.info;
  if (info.sampleType !== "float32" && info.sampleType !== "float64")
    throw invalidImage(
      `probabilities must be floating-point samples (one plane per class, as predict --output both writes them), not ${info.sampleType}`,
    );
  if (info.width !== labels.info.width || info.height !== labels.info.height)
    throw invalidImage(`probabilities are ${info.width}x${info.height} but the labels are ${labels.info.width}x${labels.info.height}`);
  const planeOf = p.planeOf ?? ((v: number) => v - 1);
  for (const v of options.classes ?? []) {
    const plane = planeOf(v);
    if (!(plane >= 0 && plane < info.sizes.c)) throw invalidImage(`no probability plane for class ${v} (${info.sizes.c} planes)`);
  }
}

/** The probability of each pixel's own class in a band (0 where the pixel is no object). */
async function confidenceBand(labels: ArrayLike<number>, options: ObjectsFromImageOptions, y: number, rows: number): Promise<Float64Array> {
  const { source, planeOf = (v: number) => v - 1 } = options.probabilities!;
  const { width, sizes } = source.info;
  const out = new Float64Array(rows * width);
  const planes = new Map<number, ArrayLike<number>>();
  for (let i = 0; i < out.length; i++) {
    const v = labels[i]!;
    if (v === 0) continue;
    const plane = planeOf(v);
    if (!(plane >= 0 && plane < sizes.c)) continue;
    let data = planes.get(plane);
    if (!data) {
      data = await source.readRegion({ scene: 0, t: 0, c: plane, z: 0 }, { x: 0, y, width, height: rows });
      planes.set(plane, data);
    }
    out[i] = data[i]!;
  }
  return out;
}

const MAX_LABEL: Record<string, number> = { uint8: 255, uint16: 65535, uint32: 4294967295, int8: 127, int16: 32767, int32: 2147483647 };

/** The largest label value a sample type holds; undefined for types that are no labels (float). */
export const maxLabelValue = (type: string): number | undefined => MAX_LABEL[type];

/** Check the label (and intensity) image and the options; returns the number of intensity channels. */
export function checkObjectInputs(info: ImageInfo | OutputImageInfo, intensity: ImageInfo | undefined, options: ObjectOptions): number {
  const max = MAX_LABEL[info.sampleType];
  if (max === undefined)
    throw unsupported(`labels must be integers, not ${info.sampleType}`, { allowed: "uint8, uint16, uint32 label images" });
  if (info.samplesPerPixel !== 1 || planeCount(info.sizes) !== 1)
    throw unsupported(
      `labels must be one grey plane (this image has ${planeCount(info.sizes)} planes of ${info.samplesPerPixel} samples)`,
      {
        allowed: "one plane: choose it with --plane (objects, predict), or take it out with `czmodel image-convert … --plane`",
      },
    );
  for (const c of options.classes ?? []) {
    if (!Number.isInteger(c) || c < 1 || c > max)
      throw invalidArgument(
        c === 0 ? "label value 0 forms no objects (it is the background)" : `class ${c} cannot occur in ${info.sampleType} labels`,
        { where: "--objects-of", allowed: `integers 1..${max}` },
      );
  }
  for (const [name, v] of [
    ["min area", options.minArea],
    ["max area", options.maxArea],
  ] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw invalidArgument(`${name} must be a number >= 0, got ${v}`);
  }
  if (!intensity) return 0;
  const ii = intensity;
  if (ii.width !== info.width || ii.height !== info.height)
    throw invalidImage(`intensity image is ${ii.width}x${ii.height} but the labels are ${info.width}x${info.height}`);
  if (ii.sizes.t * ii.sizes.z * ii.sizes.scene !== 1)
    throw unsupported("the intensity image must have one scene, time point and Z plane (channels may be several)");
  return ii.sizes.c * ii.samplesPerPixel;
}

/**
 * Rows y..y+rows of an image (the intensity image, or the labels) as one array per channel. With `reuse` (one slot per C
 * plane, kept by the caller across bands) a source that reads into a caller's buffer fills the
 * same arrays band after band instead of allocating new ones: the values are consumed before
 * the next band is read. With `kept` (and `reuse`), pixels a prediction already read are taken
 * from there instead of the source.
 */
export async function channelBands(
  source: ImageSource,
  y: number,
  rows: number,
  reuse?: SampleArray[],
  kept?: InputWindows,
): Promise<ArrayLike<number>[]> {
  const { width, sizes, samplesPerPixel: spp, sampleType } = source.info;
  const out: ArrayLike<number>[] = [];
  const order = rgbOrder(source.info);
  const rect = { x: 0, y, width, height: rows };
  for (let c = 0; c < sizes.c; c++) {
    const plane = { scene: 0, t: 0, c, z: 0 };
    const needed = width * rows * spp;
    if (reuse && kept && (!reuse[c] || reuse[c]!.length < needed)) reuse[c] = allocSamples(sampleType, needed);
    let data: SampleArray;
    if (reuse && kept?.take(c, y, rows, reuse[c]!)) data = reuse[c]!.subarray(0, needed);
    else if (reuse && readsRegionsInto(source)) {
      if (!reuse[c] || reuse[c]!.length < needed) reuse[c] = allocSamples(sampleType, needed);
      data = await source.readRegionInto(plane, rect, reuse[c]!);
    } else data = await source.readRegion(plane, rect);
    if (spp === 1) out.push(data);
    else for (const s of order) out.push(deinterleave(data, s, spp));
  }
  return out;
}

/**
 * The sample of a pixel that intensity channel k of each C plane is: colour in R, G, B(, A) order
 * whatever order the image stores (a CZI stores B, G, R), so that `_c0` is red in every format.
 */
function rgbOrder(info: Pick<ImageInfo, "samplesPerPixel" | "sampleOrder">): number[] {
  const order = Array.from({ length: info.samplesPerPixel }, (_, s) => s);
  if (info.sampleOrder === "bgr" || info.sampleOrder === "bgra") [order[0], order[2]] = [2, 0];
  return order;
}

function deinterleave(data: SampleArray, sample: number, spp: number): Float64Array {
  const out = new Float64Array(data.length / spp);
  for (let i = 0; i < out.length; i++) out[i] = data[i * spp + sample]!;
  return out;
}

/** Values of the pixels of `runs` ((y, x0, x1) triples inside `o`'s box) in one channel read as the box. */
function runValues(o: MeasuredObject, data: ArrayLike<number>, runs: number[], sample: number, spp: number): number[] {
  const values: number[] = [];
  for (let i = 0; i < runs.length; i += 3) {
    const row = (runs[i]! - o.bboxY) * o.bboxWidth;
    for (let x = runs[i + 1]!; x <= runs[i + 2]!; x++) values.push(data[(row + x - o.bboxX) * spp + sample]!);
  }
  return values;
}

/** With fillHoles: add the filled hole pixels' intensities and class probabilities to `o`'s statistics. */
export async function addHolePixels(
  o: MeasuredObject,
  intensity: ImageSource | undefined,
  options: Pick<ObjectsFromImageOptions, "probabilities">,
): Promise<void> {
  const holes = o.filledHoles;
  if (!holes) return;
  const box = { x: o.bboxX, y: o.bboxY, width: o.bboxWidth, height: o.bboxHeight };
  const own = o.areaPx - holes.count;
  if (intensity) {
    const { sizes, samplesPerPixel: spp } = intensity.info;
    const order = rgbOrder(intensity.info);
    let channel = 0;
    for (let c = 0; c < sizes.c; c++) {
      const data = await intensity.readRegion({ scene: 0, t: 0, c, z: 0 }, box);
      for (let s = 0; s < spp; s++, channel++) {
        const stats = o.intensity[channel]!;
        const values = runValues(o, data, holes.runs, order[s]!, spp);
        const mean2 = values.reduce((a, v) => a + v, 0) / values.length;
        const m2 = values.reduce((a, v) => a + (v - mean2) ** 2, 0);
        const delta = mean2 - stats.mean;
        const n = own + values.length;
        const total = stats.std * stats.std * own + m2 + (delta * delta * own * values.length) / n;
        stats.mean += (delta * values.length) / n;
        stats.std = Math.sqrt(total / n);
        for (const v of values) {
          if (v < stats.min) stats.min = v;
          if (v > stats.max) stats.max = v;
        }
      }
    }
  }
  const p = options.probabilities;
  if (p && o.confidence !== undefined) {
    const plane = (p.planeOf ?? ((v: number) => v - 1))(o.class);
    const data = await p.source.readRegion({ scene: 0, t: 0, c: plane, z: 0 }, box);
    const sum = runValues(o, data, holes.runs, 0, 1).reduce((a, v) => a + v, 0);
    o.confidence = (o.confidence * own + sum) / o.areaPx;
  }
}

/** Label, measure and filter the objects of `labels`; `onObject` gets them in id order. */
export async function objectsFromImage(
  labels: ImageSource,
  intensity: ImageSource | undefined,
  options: ObjectsFromImageOptions,
  onObject: (o: MeasuredObject) => void,
): Promise<LabelingSummary> {
  const channels = checkObjectInputs(labels.info, intensity?.info, options);
  checkProbabilities(labels, options);
  const { width, height } = labels.info;
  const px = labels.info.physicalSize ?? intensity?.info.physicalSize;
  const pixelSizeUm = options.pixelSizeUm ?? (px?.x && px.y ? { x: px.x * 1e6, y: px.y * 1e6 } : undefined);
  const labeler = new ObjectLabeler(
    width,
    height,
    { ...options, ...(pixelSizeUm ? { pixelSizeUm } : {}) },
    channels,
    (o) => pending.push(o),
    options.trace ? { trace: options.trace } : {},
  );
  const pending: MeasuredObject[] = [];
  const handOut = async () => {
    for (const o of pending) {
      if (o.filledHoles) await addHolePixels(o, intensity, options);
      onObject(o);
    }
    pending.length = 0;
  };
  const bandRows = Math.max(1, Math.floor(options.bandRows ?? 256));
  // the labeler consumes each band before the next is read, so one set of buffers serves them all
  const labelBuffer: SampleArray[] = [];
  const intensityBuffers: SampleArray[] = [];
  for (let y = 0; y < height; y += bandRows) {
    const rows = Math.min(bandRows, height - y);
    const band = (await channelBands(labels, y, rows, labelBuffer))[0]!;
    labeler.addBand(band, rows, {
      ...(intensity ? { intensity: await channelBands(intensity, y, rows, intensityBuffers) } : {}),
      ...(options.probabilities ? { confidence: await confidenceBand(band, options, y, rows) } : {}),
    });
    await handOut();
    options.onProgress?.(y + rows, height);
  }
  const summary = labeler.finish();
  await handOut();
  return summary;
}
