/**
 * Image conversion without a model: copy the selected planes of an `ImageSource` into an
 * `ImageSink`, streaming. Owns the plan (which planes, which output size and metadata) and
 * the copy loop; the formats stay in their readers and sinks.
 *
 * The copy goes tile by tile (sinks with `writeTile`: OME-TIFF, OME-Zarr), one tile row after
 * another, with tiles the size of the sink's chunks so every write completes chunks and the
 * sink keeps nothing back: memory is a few tiles, whatever the image size. Sinks without
 * `writeTile` (PNG) get full-width bands. BGR(A) samples (CZI colour images) are written as
 * RGB(A), the order every output format means. Channel names, colours and pixel sizes go into
 * the output's description (`OutputImageInfo`). A label image czmodel wrote (one integer sample
 * per pixel, in any number of planes, that records its classes, `ImageInfo.labelClasses`) stays a label
 * output: kind `labels` with its classes, so every sink records them again and a pyramid keeps
 * each 2×2 block's top-left pixel instead of the mean. The copy never changes a sample value,
 * so the classes stay true. Isomorphic.
 */
import { unsupported } from "../errors.js";
import { pickIndices, pickT, type ExtraSelection } from "./extra-dimensions.js";
import { readsRegionsInto, releasesBands } from "./reuse.js";
import {
  allocSamples,
  bytesPerSample,
  writesTiles,
  type ImageInfo,
  type ImageSink,
  type ImageSource,
  type OutputClass,
  type OutputImageInfo,
  type PlaneIndex,
  type PlaneSizes,
  type Rect,
  type SampleArray,
} from "./types.js";

/** Indices to keep per axis (0-based, the input's numbering); a missing axis keeps all; `h`, `b` … as in `io/extra-dimensions.ts`. */
export interface PlaneSelection extends ExtraSelection {
  scene?: number[];
  t?: number[];
  c?: number[];
  z?: number[];
}

/** What a conversion writes: the output's description and, per output plane, the input plane it copies. */
interface ConversionPlan {
  output: OutputImageInfo;
  planes: { from: PlaneIndex; to: PlaneIndex; interleave?: PlaneIndex[] }[];
}

/**
 * Three grey C planes and nothing else (a colour image that OME-TIFF or OME-Zarr stored as
 * channels) as one RGB plane, for outputs that hold one plane (PNG); any other plan as it is.
 */
function asRgb(plan: ConversionPlan): ConversionPlan {
  const { output, planes } = plan;
  const { sizes } = output;
  if (output.kind === "labels" || output.samplesPerPixel !== 1 || sizes.c !== 3 || sizes.t * sizes.z * sizes.scene !== 1) return plan;
  const { planeNames, planeColors: _colors, ...rest } = output;
  return {
    output: { ...rest, samplesPerPixel: 3, sizes: { ...sizes, c: 1 }, ...(planeNames ? { channelNames: planeNames } : {}) },
    planes: [{ from: planes[0]!.from, to: planes[0]!.to, interleave: planes.map((p) => p.from) }],
  };
}

/** Read the same rectangle of each of `planes` (one sample each) and interleave them into pixels of `planes.length` samples. */
async function readInterleaved(source: ImageSource, planes: PlaneIndex[], rect: Rect): Promise<SampleArray> {
  const parts = await Promise.all(planes.map((p) => source.readRegion(p, rect)));
  const K = parts.length;
  const out = allocSamples(source.info.sampleType, rect.width * rect.height * K);
  parts.forEach((part, k) => {
    for (let i = 0; i < part.length; i++) out[i * K + k] = part[i]!;
  });
  return out;
}

const OUTPUT_TYPES = ["uint8", "uint16", "float32"] as const;

/** Names of the output's samples: R, G, B (A) for colour images, none for grey. */
function sampleNames(info: ImageInfo): string[] | undefined {
  if (info.samplesPerPixel === 1) return undefined;
  return info.sampleOrder.replace("bgr", "rgb").replace("gray-alpha", "ga").toUpperCase().split("");
}

/**
 * The classes to record when `info` is a label image: one sample per pixel, integer samples
 * (values are copied unchanged), and classes the file records; undefined for any other image.
 */
function labelClassesToKeep(info: ImageInfo): OutputClass[] | undefined {
  if (!info.labelClasses?.length || info.samplesPerPixel !== 1 || info.sampleType.startsWith("float")) return undefined;
  return info.labelClasses;
}

/** Plan the copy of the planes `selection` picks; scenes of different sizes must be converted one at a time. */
export function planConversion(info: ImageInfo, selection: PlaneSelection = {}): ConversionPlan {
  const { t, modulo } = pickT(info, selection);
  const picked = {
    scene: pickIndices("scene", info.sizes.scene, selection.scene),
    t,
    c: pickIndices("c", info.sizes.c, selection.c),
    z: pickIndices("z", info.sizes.z, selection.z),
  };
  const sceneSize = (s: number) => info.scenes[s] ?? { width: info.width, height: info.height };
  const first = sceneSize(picked.scene[0]!);
  for (const s of picked.scene) {
    const size = sceneSize(s);
    if (size.width !== first.width || size.height !== first.height)
      throw unsupported(
        `scenes have different sizes (scene ${picked.scene[0]} is ${first.width}x${first.height}, scene ${s} is ${size.width}x${size.height})`,
        { where: "--scene", allowed: "one scene per output, e.g. --scene 1" },
      );
  }
  const sampleType = info.sampleType;
  if (!(OUTPUT_TYPES as readonly string[]).includes(sampleType))
    throw unsupported(`cannot convert ${sampleType} samples`, { where: info.format, allowed: OUTPUT_TYPES.join(", ") });
  const sizes: PlaneSizes = { scene: picked.scene.length, t: picked.t.length, c: picked.c.length, z: picked.z.length };
  const planes: ConversionPlan["planes"] = [];
  for (const [si, scene] of picked.scene.entries())
    for (const [ti, t] of picked.t.entries())
      for (const [ci, c] of picked.c.entries())
        for (const [zi, z] of picked.z.entries()) planes.push({ from: { scene, t, c, z }, to: { scene: si, t: ti, c: ci, z: zi } });
  const names = info.channelNames?.length === info.sizes.c ? picked.c.map((c) => info.channelNames![c]!) : undefined;
  const colors = info.channelColors?.length === info.sizes.c ? picked.c.map((c) => info.channelColors![c]!) : undefined;
  const samples = sampleNames(info);
  const classes = labelClassesToKeep(info);
  const output: OutputImageInfo = {
    width: first.width,
    height: first.height,
    sizes,
    ...(modulo ? { tModulo: modulo } : {}),
    samplesPerPixel: info.samplesPerPixel,
    sampleType: sampleType as OutputImageInfo["sampleType"],
    kind: classes ? "labels" : "image",
    ...(classes ? { classes } : {}),
    ...(samples ? { channelNames: samples } : {}),
    ...(names ? { planeNames: names } : {}),
    ...(colors?.some((c) => c !== null) ? { planeColors: colors } : {}),
    ...(info.physicalSize ? { physicalSize: info.physicalSize } : {}),
    description: { source: info.format },
  };
  return { output, planes };
}

/** Swap the first and third sample of every pixel (BGR(A) → RGB(A)), in place. */
function swapRedBlue(data: SampleArray, samplesPerPixel: number): void {
  for (let i = 0; i + 2 < data.length; i += samplesPerPixel) {
    const b = data[i]!;
    data[i] = data[i + 2]!;
    data[i + 2] = b;
  }
}

export interface ConvertImageOptions {
  planes?: PlaneSelection;
  /** Tile side for sinks that take tiles; make it the sink's chunk size (default 512). */
  tileSize?: number;
  /** Rows per band for sinks that take only bands (default 256). */
  bandRows?: number;
  /** Called after each write with pixels copied so far and the total (all planes). */
  onProgress?: (donePixels: number, totalPixels: number) => void;
  /** Write three grey C planes (and no other planes) as one RGB plane: for PNG outputs. */
  rgbFromThreePlanes?: boolean;
  /** Stops the copy between tiles (the sink is aborted, nothing is left behind). */
  signal?: AbortSignal;
}

export interface ConvertImageResult {
  width: number;
  height: number;
  sizes: PlaneSizes;
  samplesPerPixel: number;
  sampleType: OutputImageInfo["sampleType"];
  /** Pixels copied (width × height × planes). */
  pixels: number;
}

/** The rectangles of one plane in write order: tile rows top to bottom, tiles left to right. */
function* tilesOf(width: number, height: number, tileW: number, tileH: number) {
  for (let y = 0; y < height; y += tileH)
    for (let x = 0; x < width; x += tileW) yield { x, y, width: Math.min(tileW, width - x), height: Math.min(tileH, height - y) };
}

interface CopyJob {
  from: PlaneIndex;
  interleave?: PlaneIndex[] | undefined;
  to: PlaneIndex;
  rect: Rect;
}

/** Every tile of every planned plane, in write order. */
function* copyJobs(plan: ConversionPlan, tileW: number, tileH: number): Generator<CopyJob> {
  for (const { from, to, interleave } of plan.planes)
    for (const rect of tilesOf(plan.output.width, plan.output.height, tileW, tileH)) yield { from, to, rect, interleave };
}

/** `promise` with a no-op handler attached, so a read abandoned after a failed write is no unhandled rejection. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/**
 * Copy the selected planes of `source` into `sink` (begin … finish). The sink is aborted if
 * anything fails; the source stays open (the caller closes it).
 */
export async function convertImage(source: ImageSource, sink: ImageSink, options: ConvertImageOptions = {}): Promise<ConvertImageResult> {
  const planned = planConversion(source.info, options.planes);
  const plan = options.rgbFromThreePlanes ? asRgb(planned) : planned;
  const out = plan.output;
  const K = out.samplesPerPixel;
  const tiled = writesTiles(sink);
  const tileW = tiled ? (options.tileSize ?? 512) : out.width;
  const tileH = tiled ? (options.tileSize ?? 512) : (options.bandRows ?? 256);
  const swap = source.info.sampleOrder === "bgr" || source.info.sampleOrder === "bgra";
  const total = out.width * out.height * plan.planes.length;
  // Two read buffers, reused only for sinks that are done with the samples when a write resolves.
  const buffers = [0, 1].map(() => allocSamples(out.sampleType, tileW * tileH * K));
  const into = readsRegionsInto(source) && releasesBands(sink) ? source : undefined;
  const read = async (job: CopyJob, slot: number): Promise<SampleArray> => {
    if (job.interleave) return readInterleaved(source, job.interleave, job.rect);
    const data = into ? await into.readRegionInto(job.from, job.rect, buffers[slot]!) : await source.readRegion(job.from, job.rect);
    if (swap) swapRedBlue(data, K);
    return data;
  };
  const jobs = copyJobs(plan, tileW, tileH);
  let done = 0;
  try {
    await sink.begin(out);
    // The next tile is read while the current one is written (compressed): reading and writing overlap.
    let next = jobs.next();
    let slot = 0;
    let reading = next.done ? undefined : quiet(read(next.value, slot));
    while (!next.done) {
      options.signal?.throwIfAborted();
      const job = next.value;
      const data = await reading!;
      next = jobs.next();
      slot ^= 1;
      reading = next.done ? undefined : quiet(read(next.value, slot));
      if (tiled) await sink.writeTile(job.to, job.rect, data);
      else await sink.writeBand(job.to, job.rect.y, job.rect.height, data);
      done += job.rect.width * job.rect.height;
      options.onProgress?.(done, total);
    }
    await sink.finish();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  return { width: out.width, height: out.height, sizes: out.sizes, samplesPerPixel: K, sampleType: out.sampleType, pixels: total };
}

/** Bytes of one output pixel (for choosing chunk sizes). */
export function pixelBytes(info: ImageInfo): number {
  return info.samplesPerPixel * bytesPerSample(info.sampleType);
}
