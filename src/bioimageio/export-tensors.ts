/**
 * The test tensors of an exported package: the input is one model tile in the package's
 * terms (pixel type chosen for the package, colour as R, G, B[, A]), cut from the centre of a
 * test image (reflect-padded like ZEN when the image is smaller than the tile) or drawn as
 * deterministic synthetic blobs; the output is what the prediction engine makes of exactly
 * that tile, the way ZEN runs the model (BGR order, scaling by the pixel type's range, its
 * tiling, which for a one-tile image is one run of the network). Isomorphic.
 */
import { predict } from "../engine/predict.js";
import { reflectIndex } from "../engine/tiling.js";
import type { OrtRuntime, PredictResult } from "../engine/types.js";
import { internalError, unsupported } from "../errors.js";
import { MemoryImageSink, MemoryImageSource } from "../io/memory/index.js";
import type { ImageSource, SampleArray, SampleOrder } from "../io/types.js";
import type { InferenceSession } from "onnxruntime-common";
import { PIXEL_TYPE_MAX, type ExportPlan } from "./export-plan.js";

export interface TestInput {
  /** `tile[0] × tile[1] × inputChannels` samples, interleaved, in the package's channel order. */
  data: Uint8Array | Uint16Array;
  height: number;
  width: number;
  /** Where the pixels came from, for the documentation. */
  origin:
    | { kind: "image"; name: string; imageWidth: number; imageHeight: number; x: number; y: number; width: number; height: number }
    | { kind: "synthetic" };
  notes: string[];
}

export interface TestRun {
  /** `tile × outputChannels` float32, interleaved (NHWC without the batch). */
  output: Float32Array;
  /** Segmentation: ZEN's label image of the tile (argmax + label value). */
  labels?: Uint8Array | Uint16Array;
  result: PredictResult;
}

const alloc = (plan: ExportPlan, n: number) => (plan.pixelType === "uint8" ? new Uint8Array(n) : new Uint16Array(n));

/** A centred crop of `tile` pixels from an axis of `n`: what to read, and per tile pixel its index in what was read (reflected beyond the image). */
function centredAxis(n: number, tile: number): { start: number; length: number; map: Int32Array } {
  const map = new Int32Array(tile);
  if (n >= tile) {
    const start = Math.floor((n - tile) / 2);
    for (let k = 0; k < tile; k++) map[k] = k;
    return { start, length: tile, map };
  }
  const left = Math.floor((tile - n) / 2);
  for (let k = 0; k < tile; k++) map[k] = reflectIndex(k - left, n);
  return { start: 0, length: n, map };
}

const COLOUR_ORDERS: ReadonlySet<SampleOrder> = new Set(["rgb", "bgr", "rgba", "bgra"]);

/** One tile of `source` (plane 0, or the first C planes) as the package's test input. */
export async function testInputFromImage(plan: ExportPlan, source: ImageSource, name: string, where = name): Promise<TestInput> {
  const info = source.info;
  if (info.sampleType !== "uint8" && info.sampleType !== "uint16") {
    throw unsupported(`the test image holds ${info.sampleType} samples`, { where, allowed: "an 8- or 16-bit image (uint8, uint16)" });
  }
  const [th, tw] = plan.tile;
  const ys = centredAxis(info.height, th);
  const xs = centredAxis(info.width, tw);
  const rect = { x: xs.start, y: ys.start, width: xs.length, height: ys.length };
  const order = info.sampleOrder;
  const spp = info.samplesPerPixel;
  const colour = COLOUR_ORDERS.has(order);
  const m = plan.inputChannels;
  const notes: string[] = [];
  const sizes = info.sizes;
  if (sizes.scene > 1 || sizes.t > 1 || sizes.z > 1)
    notes.push("the test image has several scenes, time points or z planes: the first one was used");

  // which source planes / samples feed each package channel (mean when several)
  const r = order.startsWith("bgr") ? 2 : 0;
  const b = order.startsWith("bgr") ? 0 : 2;
  const alpha = order === "rgba" || order === "bgra" ? 3 : order === "gray-alpha" ? 1 : -1;
  type Pick = { plane: number; sample: number }[] | "opaque";
  const s = (sample: number, plane = 0) => ({ plane, sample });
  const mono = plan.engine.colorHandling === "convert-to-monochrome";
  let picks: Pick[];
  if (plan.colour === "gray") {
    picks = [colour ? [s(r), s(1), s(b)] : [s(0)]];
    if (colour) notes.push("the colour test image was converted to grey (mean of R, G, B), as ZEN does for a one-channel model");
  } else if (plan.colour === "rgb" || plan.colour === "rgba") {
    const grey = !colour || mono;
    const rgb: Pick[] = grey ? (colour ? [0, 1, 2].map(() => [s(r), s(1), s(b)]) : [[s(0)], [s(0)], [s(0)]]) : [[s(r)], [s(1)], [s(b)]];
    if (!colour) notes.push("the grey test image was replicated into R, G and B");
    else if (mono) notes.push("the colour test image was converted to grey in every colour channel (ColorHandling ConvertToMonochrome)");
    picks = plan.colour === "rgba" ? [...rgb, alpha >= 0 ? [s(alpha)] : "opaque"] : rgb;
  } else if (spp === m) {
    picks = Array.from({ length: m }, (_, k) => [s(k)]);
  } else if (!colour && spp === 1 && sizes.c >= m) {
    picks = Array.from({ length: m }, (_, k) => [s(0, k)]);
    if (sizes.c > m) notes.push(`the test image has ${sizes.c} C planes: the first ${m} were used`);
  } else {
    throw unsupported(`cannot feed the test image's ${spp} sample(s) per pixel and ${sizes.c} C plane(s) to the model's ${m} channels`, {
      where,
      allowed: `${m} samples per pixel, or at least ${m} grey C planes`,
    });
  }
  const planesNeeded = Math.max(1, ...picks.flatMap((p) => (p === "opaque" ? [] : p.map((x) => x.plane + 1))));
  const windows: SampleArray[] = [];
  for (let c = 0; c < planesNeeded; c++) windows.push(await source.readRegion({ scene: 0, t: 0, c, z: 0 }, rect));

  const srcMax = PIXEL_TYPE_MAX[info.sampleType];
  const dstMax = PIXEL_TYPE_MAX[plan.pixelType];
  if (srcMax !== dstMax)
    notes.push(`the ${info.sampleType} test image was converted to ${plan.pixelType} (× ${dstMax}/${srcMax}, rounded)`);
  const out = alloc(plan, th * tw * m);
  for (let y = 0; y < th; y++) {
    const ry = ys.map[y]!;
    for (let x = 0; x < tw; x++) {
      const i = (ry * rect.width + xs.map[x]!) * spp;
      for (let k = 0; k < m; k++) {
        const p = picks[k]!;
        let v: number;
        if (p === "opaque") v = srcMax;
        else {
          let sum = 0;
          for (const q of p) sum += windows[q.plane]![i + q.sample] as number;
          v = sum / p.length;
        }
        out[(y * tw + x) * m + k] = Math.round((v * dstMax) / srcMax);
      }
    }
  }
  if (info.height < th || info.width < tw)
    notes.push(`the ${info.width}x${info.height} test image is smaller than the ${tw}x${th} tile: it was reflect-padded, as ZEN pads it`);
  return {
    data: out,
    height: th,
    width: tw,
    origin: { kind: "image", name, imageWidth: info.width, imageHeight: info.height, ...rect },
    notes,
  };
}

/** A deterministic pseudo-random sequence in [0, 1) (32-bit LCG). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Gaussian blobs on a dim, slightly noisy background; colour models get blobs of different colours. */
export function syntheticTestInput(plan: ExportPlan): TestInput {
  const [h, w] = plan.tile;
  const m = plan.inputChannels;
  const max = PIXEL_TYPE_MAX[plan.pixelType];
  const rnd = random(20240611);
  const count = Math.max(3, Math.round((h * w) / (96 * 96)));
  const blobs = Array.from({ length: count }, () => ({
    y: rnd() * h,
    x: rnd() * w,
    sigma: Math.max(1.5, Math.min(h, w) * (0.015 + 0.025 * rnd())),
    amp: 0.35 + 0.45 * rnd(),
    tint: Array.from({ length: m }, () => 0.4 + 0.6 * rnd()),
  }));
  const field = new Float64Array(h * w * m);
  for (const bl of blobs) {
    const reach = Math.ceil(3 * bl.sigma);
    for (let y = Math.max(0, Math.floor(bl.y - reach)); y < Math.min(h, Math.ceil(bl.y + reach)); y++) {
      for (let x = Math.max(0, Math.floor(bl.x - reach)); x < Math.min(w, Math.ceil(bl.x + reach)); x++) {
        const g = bl.amp * Math.exp(-((y - bl.y) ** 2 + (x - bl.x) ** 2) / (2 * bl.sigma ** 2));
        for (let k = 0; k < m; k++) field[(y * w + x) * m + k]! += g * (plan.colour === "gray" ? 1 : bl.tint[k]!);
      }
    }
  }
  const out = alloc(plan, h * w * m);
  for (let i = 0; i < h * w; i++) {
    for (let k = 0; k < m; k++) {
      const alphaChannel = plan.colour === "rgba" && k === 3;
      const v = alphaChannel ? 1 : Math.min(1, 0.06 + 0.02 * rnd() + field[i * m + k]!);
      out[i * m + k] = Math.round(v * max);
    }
  }
  return { data: out, height: h, width: w, origin: { kind: "synthetic" }, notes: [] };
}

export interface RunOptions {
  runtime: OrtRuntime;
  sessionOptions?: InferenceSession.SessionOptions;
  signal?: AbortSignal;
}

/** Run the ZEN model on the test input through the prediction engine (one tile, as ZEN would). */
export async function runTestInput(plan: ExportPlan, input: TestInput, options: RunOptions): Promise<TestRun> {
  const { height, width, data } = input;
  const m = plan.inputChannels;
  let source: MemoryImageSource;
  if (plan.colour === "channels") {
    const planes = Array.from({ length: m }, (_, k) => {
      const p = plan.pixelType === "uint8" ? new Uint8Array(height * width) : new Uint16Array(height * width);
      for (let i = 0; i < height * width; i++) p[i] = data[i * m + k]!;
      return p;
    });
    source = new MemoryImageSource({ width, height, planes, sizes: { c: m }, format: "export test input" });
  } else {
    const sampleOrder: SampleOrder = plan.colour === "gray" ? "gray" : plan.colour;
    source = new MemoryImageSource({ width, height, planes: [data], samplesPerPixel: m, sampleOrder, format: "export test input" });
  }
  const common = {
    runtime: options.runtime,
    batch: 1,
    ...(options.sessionOptions ? { sessionOptions: options.sessionOptions } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  let result: PredictResult;
  let output: SampleArray;
  let labels: SampleArray | undefined;
  if (plan.engine.kind === "segmentation") {
    const pair = { labels: new MemoryImageSink(), probabilities: new MemoryImageSink() };
    result = await predict(plan.engine, source, pair, { ...common, output: "both" });
    output = pair.probabilities.plane();
    labels = pair.labels.plane();
  } else {
    const sink = new MemoryImageSink();
    result = await predict(plan.engine, source, sink, common);
    output = sink.plane();
  }
  if (result.tiles !== 1) throw internalError(`the test tile ran as ${result.tiles} tiles`);
  if (!(output instanceof Float32Array) || output.length !== height * width * plan.outputChannels) {
    throw internalError(`the engine returned ${output.length} ${output.constructor.name} samples for the test tile`);
  }
  if (labels !== undefined && !(labels instanceof Uint8Array) && !(labels instanceof Uint16Array))
    throw internalError("labels are not uint8/uint16");
  return { output, ...(labels ? { labels } : {}), result };
}
