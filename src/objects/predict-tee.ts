/**
 * Objects in the same pass as a prediction (`PredictOptions.objects`): `ObjectsTee` wraps the
 * label sink of a run (and, for the `confidence` column, its probabilities sink) and sees every
 * rectangle or band written to them before the write goes on to the real sink. Each written
 * rectangle of labels is cut into runs of selected labels there and then, with the intensity
 * sums of each run, while it is in the cache (`RunRows`); when a band (the rows of one output
 * tile row) is complete, its rows go to an `ObjectLabeler` as runs, in raster order. With the
 * confidence column, or intensity that is not 8/16-bit of one sample per pixel, rectangles are
 * instead copied into row bands, and a complete band goes to the labeller as labels. Intensity columns come from the prediction's input image (read
 * again band by band, and by box for filled holes) when it is one plane stack of the labels'
 * size; confidence is each pixel's probability of its own class, taken from the probability
 * samples the run writes. Memory: the bands not yet complete (about one tile row across the
 * width, labels plus probabilities) and the labeler's own. Isomorphic.
 */
import { internalError, invalidArgument, unsupported } from "../errors.js";
import { releasesBands } from "../io/reuse.js";
import {
  allocSamples,
  type ImageSink,
  type ImageSource,
  type OutputImageInfo,
  type PlaneIndex,
  type Rect,
  type SampleArray,
  writesTiles,
} from "../io/types.js";
import { addHolePixels, checkObjectInputs, channelBands } from "./from-image.js";
import { InputRows } from "./input-rows.js";
import { type IdTrace, type LabelingSummary, ObjectLabeler } from "./labeler.js";
import { type IntensityRows, MAX_RUN_ROW, RunRows } from "./tile-runs.js";
import type { TableLayout } from "./table.js";
import type { MeasuredObject, ObjectOptions } from "./types.js";

/** What `predict` measures in its pass: `onObject` gets the objects of the label output in id order. */
export interface PredictObjectsOptions extends ObjectOptions {
  onObject: (o: MeasuredObject) => void;
  /** Called once the label output is described, before the first object: the columns the objects will have. */
  onBegin?: (layout: TableLayout) => void;
  /**
   * Add the `confidence` column (needs `output: "both"`): `planeOf(value)` is the probability
   * channel of a label value's class (default value − 1).
   */
  confidence?: { planeOf?: (value: number) => number };
  /** Record merges and ids for `writeInstances` (a second pass over the written labels). */
  trace?: IdTrace;
}

/** A band of output rows being filled: labels and (with confidence) the probability samples. */
interface PendingBand {
  rows: number;
  labels: SampleArray;
  labelPixels: number;
  probabilities?: Float32Array;
  probabilityPixels: number;
}

/** Intensity sample types whose runs are summed exactly as the tiles are written (see `RunRows`). */
const SMALL_INTEGER_SAMPLES: ReadonlySet<string> = new Set(["uint8", "int8", "uint16", "int16"]);

/** Copy a `rect` of `spp` samples per pixel into a full-width band starting at row `rect.y`. */
function copyRect(data: SampleArray, rect: Rect, band: SampleArray, width: number, spp: number): void {
  const rowLength = rect.width * spp;
  for (let r = 0; r < rect.height; r++) {
    const from = r * rowLength;
    (band as Float32Array).set((data as Float32Array).subarray(from, from + rowLength), (r * width + rect.x) * spp);
  }
}

export class ObjectsTee {
  private labeler: ObjectLabeler | undefined;
  private info: OutputImageInfo | undefined;
  private intensity: ImageSource | undefined;
  private readonly bands = new Map<number, PendingBand>();
  private nextY = 0;
  private probabilityChannels = 0;
  private withConfidence = false;
  private pending: MeasuredObject[] = [];
  /** Label band arrays the labeler is done with, for the next bands (at most two kept). */
  private readonly spareLabels: SampleArray[] = [];
  /** Reused band buffers of the intensity image, one per C plane. */
  private readonly intensityBuffers: SampleArray[] = [];
  /** The input rows the prediction reads (through `observeInput`), for the intensity columns. */
  private inputRows: InputRows | undefined;
  /**
   * Labels are cut into runs as each tile is written, with the intensity sums of the runs
   * (`RunRows`): no confidence column, and intensity of 8- or 16-bit samples, one per pixel, or none.
   */
  private cutTiles = false;
  /** With `cutTiles`: the runs of the bands not yet complete, by first row. */
  private readonly runBands = new Map<number, { runs: RunRows; labelPixels: number }>();
  /** The labelling summary once the label sink has finished. */
  summary: LabelingSummary | undefined;

  constructor(
    private readonly options: PredictObjectsOptions,
    private readonly input: ImageSource,
  ) {
    if (options.fillHoles && options.confidence)
      throw unsupported("filled holes need the class probabilities of pixels above the current band; measure the written files instead");
  }

  /**
   * The input to predict from: `input` with every region the prediction reads also kept for the
   * intensity columns, so that they need no second read (when the input is one plane stack).
   */
  observeInput(): ImageSource {
    const { sizes } = this.input.info;
    if (sizes.scene * sizes.t * sizes.z !== 1) return this.input;
    this.inputRows = new InputRows(this.input);
    return this.inputRows.observe();
  }

  /** The sinks to predict into, in plan order (`kinds`): the label sink (and probabilities sink) observed. */
  wrap(sinks: ImageSink[], kinds: readonly string[]): ImageSink[] {
    const labelsAt = kinds.indexOf("labels");
    if (labelsAt < 0) throw invalidArgument("objects need the label output of a segmentation model", { allowed: "output labels or both" });
    const probabilitiesAt = kinds.indexOf("probabilities");
    if (this.options.confidence && probabilitiesAt < 0)
      throw invalidArgument("the confidence column needs the probabilities output", { allowed: "output both" });
    this.withConfidence = this.options.confidence !== undefined;
    return sinks.map((sink, i) => {
      if (i === labelsAt)
        return observed(
          sink,
          (info) => this.begin(info),
          (r, d) => this.take(r, d, false),
          () => this.finish(),
        );
      if (i === probabilitiesAt && this.withConfidence)
        return observed(
          sink,
          (info) => this.setProbabilityChannels(info.samplesPerPixel),
          (r, d) => this.take(r, d, true),
        );
      return sink;
    });
  }

  private setProbabilityChannels(k: number): void {
    this.probabilityChannels = k;
  }

  private begin(info: OutputImageInfo): void {
    const input = this.input.info;
    const fits = input.sizes.scene * input.sizes.t * input.sizes.z === 1 && input.width === info.width && input.height === info.height;
    this.intensity = fits ? this.input : undefined;
    if (!fits) this.inputRows?.stop();
    const channels = checkObjectInputs(info, this.intensity?.info, this.options);
    const px = info.physicalSize ?? this.intensity?.info.physicalSize;
    const pixelSizeUm = this.options.pixelSizeUm ?? (px?.x && px.y ? { x: px.x * 1e6, y: px.y * 1e6 } : undefined);
    this.info = info;
    const onObject = (o: MeasuredObject) => void this.pending.push(o);
    const hooks = this.options.trace ? { trace: this.options.trace } : {};
    const options = { ...this.options, ...(pixelSizeUm ? { pixelSizeUm } : {}) };
    this.labeler = new ObjectLabeler(info.width, info.height, options, channels, onObject, hooks);
    const intensity = this.intensity?.info;
    this.cutTiles =
      !this.withConfidence &&
      info.width <= MAX_RUN_ROW &&
      (channels === 0 || (intensity !== undefined && intensity.samplesPerPixel === 1 && SMALL_INTEGER_SAMPLES.has(intensity.sampleType)));
    this.options.onBegin?.({ channels, hasAreaUm2: Boolean(pixelSizeUm), hasConfidence: this.withConfidence });
  }

  /** Copy a written rectangle into its band; feed the bands that are now complete. */
  private async take(rect: Rect, data: SampleArray, probabilities: boolean): Promise<void> {
    const info = this.info;
    if (!info) throw internalError("objects: a write before the label sink began");
    if (this.cutTiles && !probabilities) return this.takeRuns(rect, data);
    let band = this.bands.get(rect.y);
    if (!band) {
      const length = rect.height * info.width;
      const spare = this.spareLabels.findIndex((a) => a.length === length);
      const labels = spare >= 0 ? this.spareLabels.splice(spare, 1)[0]! : allocSamples(info.sampleType, length);
      band = { rows: rect.height, labels, labelPixels: 0, probabilityPixels: 0 };
      this.bands.set(rect.y, band);
    }
    if (band.rows !== rect.height) throw internalError(`objects: rows ${rect.y}.. arrive as ${band.rows} and ${rect.height} rows`);
    if (probabilities) {
      const k = this.probabilityChannels;
      band.probabilities ??= new Float32Array(band.rows * info.width * k);
      copyRect(data, rect, band.probabilities, info.width, k);
      band.probabilityPixels += rect.width * rect.height;
    } else {
      copyRect(data, rect, band.labels, info.width, 1);
      band.labelPixels += rect.width * rect.height;
    }
    await this.feedComplete();
  }

  /** Cut a written rectangle of labels into runs with their intensity sums; feed the bands that are now complete. */
  private async takeRuns(rect: Rect, data: SampleArray): Promise<void> {
    const labeler = this.labeler!;
    let band = this.runBands.get(rect.y);
    if (!band) {
      band = { runs: new RunRows(rect.height, labeler.channels), labelPixels: 0 };
      this.runBands.set(rect.y, band);
    }
    if (band.runs.rows !== rect.height)
      throw internalError(`objects: rows ${rect.y}.. arrive as ${band.runs.rows} and ${rect.height} rows`);
    band.runs.collect(data, rect.x, rect.width, 0, rect.height, labeler.selection, await this.intensityRowsOf(rect, labeler.channels));
    band.labelPixels += rect.width * rect.height;
    await this.feedCompleteRuns();
  }

  /** The intensity of a written rectangle: the input rows the prediction kept, or (when it kept none) read again. */
  private async intensityRowsOf(rect: Rect, channels: number): Promise<IntensityRows> {
    const data: ArrayLike<number>[][] = [];
    const bases: number[][] = [];
    for (let c = 0; c < channels; c++) {
      const rows: ArrayLike<number>[] = [];
      for (let r = 0; r < rect.height; r++) {
        const row = this.inputRows?.row(c, rect.y + r);
        if (!row) break;
        rows.push(row);
      }
      if (rows.length === rect.height) {
        data.push(rows);
        bases.push(rows.map(() => 0));
      } else {
        const region = await this.intensity!.readRegion({ scene: 0, t: 0, c, z: 0 }, rect);
        data.push(Array.from({ length: rect.height }, () => region));
        bases.push(Array.from({ length: rect.height }, (_, r) => r * rect.width - rect.x));
      }
    }
    return { data: (c, r) => data[c]![r]!, base: (c, r) => bases[c]![r]! };
  }

  private async feedCompleteRuns(): Promise<void> {
    const width = this.info!.width;
    for (let band = this.runBands.get(this.nextY); band; band = this.runBands.get(this.nextY)) {
      if (band.labelPixels < band.runs.rows * width) return;
      this.runBands.delete(this.nextY);
      this.nextY += band.runs.rows;
      for (let r = 0; r < band.runs.rows; r++) {
        const { records, count } = band.runs.row(r);
        this.labeler!.addRunRow(records, count);
      }
      this.inputRows?.done(this.nextY);
      await this.handOut();
    }
  }

  private async feedComplete(): Promise<void> {
    const width = this.info!.width;
    for (let band = this.bands.get(this.nextY); band; band = this.bands.get(this.nextY)) {
      const pixels = band.rows * width;
      if (band.labelPixels < pixels || (this.withConfidence && band.probabilityPixels < pixels)) return;
      this.bands.delete(this.nextY);
      const y = this.nextY;
      this.nextY += band.rows;
      // the input rows the tiles read, as they are; else copied into bands, or read again
      const intensityRows = this.intensity ? this.inputRows?.bandRows(y, band.rows) : undefined;
      const intensity =
        this.intensity && !intensityRows
          ? await channelBands(this.intensity, y, band.rows, this.intensityBuffers, this.inputRows)
          : undefined;
      this.labeler!.addBand(band.labels, band.rows, {
        ...(intensity ? { intensity } : {}),
        ...(intensityRows ? { intensityRows } : {}),
        ...(band.probabilities ? { confidence: this.confidenceOf(band.labels, band.probabilities) } : {}),
      });
      this.inputRows?.done(this.nextY);
      // every pixel of a band is written, so its array serves a later band as it is
      if (this.spareLabels.length < 2) this.spareLabels.push(band.labels);
      await this.handOut();
    }
  }

  /** The probability of each pixel's own class (0 where the label has no probability channel). */
  private confidenceOf(labels: SampleArray, probabilities: Float32Array): Float64Array {
    const k = this.probabilityChannels;
    const planeOf = this.options.confidence?.planeOf ?? ((v: number) => v - 1);
    const out = new Float64Array(labels.length);
    for (let i = 0; i < out.length; i++) {
      const v = labels[i]!;
      if (v === 0) continue;
      const plane = planeOf(v);
      if (plane >= 0 && plane < k) out[i] = probabilities[i * k + plane]!;
    }
    return out;
  }

  private async handOut(): Promise<void> {
    const list = this.pending;
    this.pending = [];
    for (const o of list) {
      await addHolePixels(o, this.intensity, {});
      this.options.onObject(o);
    }
  }

  private async finish(): Promise<void> {
    if (!this.labeler || this.bands.size > 0 || this.runBands.size > 0)
      throw internalError(`objects: labels incomplete at row ${this.nextY}`);
    this.summary = this.labeler.finish();
    await this.handOut();
  }
}

/** `sink` with every write also handed to `take` first (the data may be reused once the write resolves). */
function observed(
  sink: ImageSink,
  begin: (info: OutputImageInfo) => void,
  take: (rect: Rect, data: SampleArray) => Promise<void>,
  finish?: () => Promise<void>,
): ImageSink {
  let width = 0;
  const once = (plane: PlaneIndex) => {
    if (plane.scene + plane.t + plane.c + plane.z !== 0) throw internalError("objects: a label plane other than the first");
  };
  const wrapper: ImageSink & { releasesBands?: true } = {
    begin: async (info) => {
      width = info.width;
      begin(info);
      await sink.begin(info);
    },
    writeBand: async (plane, y, rows, data) => {
      once(plane);
      await take({ x: 0, y, width, height: rows }, data);
      await sink.writeBand(plane, y, rows, data);
    },
    finish: async () => {
      await finish?.();
      await sink.finish();
    },
    abort: () => sink.abort(),
  };
  if (writesTiles(sink))
    wrapper.writeTile = async (plane, rect, data) => {
      once(plane);
      await take(rect, data);
      await sink.writeTile(plane, rect, data);
    };
  if (releasesBands(sink)) wrapper.releasesBands = true;
  return wrapper;
}
