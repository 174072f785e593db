/**
 * Objects in the same pass as a prediction (`PredictOptions.objects`): `ObjectsTee` wraps the
 * label sink of a run (and, for the `confidence` column, its probabilities sink), copies every
 * rectangle or band written to them into row bands (one band = the rows of one output tile
 * row), and feeds each completed band, in raster order, to an `ObjectLabeler` before the write
 * goes on to the real sink. Intensity columns come from the prediction's input image when it
 * is one plane stack of the labels' size: from the windows its tiles read (`InputWindows`, kept
 * until their rows are labelled), else read again band by band, and by box for filled holes;
 * confidence is each pixel's probability of its own class, taken from the probability
 * samples the run writes. Memory: the bands not yet complete (about one tile row across the
 * width, labels plus probabilities) and the labeler's own. A band is labelled in parts of about
 * a megapixel with a turn of the event loop between them: labelled at once, a band held the
 * main thread long enough for the model to finish its tile and wait for the next one's input
 * (measured in docs/objects.md). Isomorphic.
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
import { yieldToEventLoop } from "../io/yield.js";
import { InputWindows } from "./input-windows.js";
import { type IdTrace, type LabelingSummary, ObjectLabeler } from "./labeler.js";
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

/** Copy a `rect` of `spp` samples per pixel into a full-width band starting at row `rect.y`. */
function copyRect(data: SampleArray, rect: Rect, band: SampleArray, width: number, spp: number): void {
  const rowLength = rect.width * spp;
  for (let r = 0; r < rect.height; r++) {
    const from = r * rowLength;
    (band as Float32Array).set((data as Float32Array).subarray(from, from + rowLength), (r * width + rect.x) * spp);
  }
}

/** Pixels labelled between two turns of the event loop. */
const PART_PIXELS = 1 << 20;

export class ObjectsTee {
  private labeler: ObjectLabeler | undefined;
  private info: OutputImageInfo | undefined;
  private intensity: ImageSource | undefined;
  private readonly bands = new Map<number, PendingBand>();
  private nextY = 0;
  private probabilityChannels = 0;
  private withConfidence = false;
  private pending: MeasuredObject[] = [];
  /** The last feed of complete bands, started or done. */
  private feeding: Promise<void> = Promise.resolve();
  /** Label band arrays the labeler is done with, for the next bands (at most two kept). */
  private readonly spareLabels: SampleArray[] = [];
  /** Reused band buffers of the intensity image, one per C plane. */
  private readonly intensityBuffers: SampleArray[] = [];
  /** The input windows the prediction reads (through `observeInput`), for the intensity columns. */
  private inputWindows: InputWindows | undefined;
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
    this.inputWindows = new InputWindows(this.input);
    return this.inputWindows.observe();
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
    if (!fits) this.inputWindows?.stop();
    const channels = checkObjectInputs(info, this.intensity?.info, this.options);
    const px = info.physicalSize ?? this.intensity?.info.physicalSize;
    const pixelSizeUm = this.options.pixelSizeUm ?? (px?.x && px.y ? { x: px.x * 1e6, y: px.y * 1e6 } : undefined);
    this.info = info;
    const onObject = (o: MeasuredObject) => void this.pending.push(o);
    const hooks = this.options.trace ? { trace: this.options.trace } : {};
    const options = { ...this.options, ...(pixelSizeUm ? { pixelSizeUm } : {}) };
    this.labeler = new ObjectLabeler(info.width, info.height, options, channels, onObject, hooks);
    this.options.onBegin?.({ channels, hasAreaUm2: Boolean(pixelSizeUm), hasConfidence: this.withConfidence });
  }

  /** Copy a written rectangle into its band; feed the bands that are now complete. */
  private async take(rect: Rect, data: SampleArray, probabilities: boolean): Promise<void> {
    const info = this.info;
    if (!info) throw internalError("objects: a write before the label sink began");
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

  /**
   * Feed the bands that are complete. Feeds run one after another (a band is labelled in parts,
   * across turns of the event loop), so that rows reach the labeler in order even when writes overlap.
   */
  private feedComplete(): Promise<void> {
    const fed = this.feeding.then(() => this.feedBands());
    this.feeding = fed;
    return fed;
  }

  private async feedBands(): Promise<void> {
    const width = this.info!.width;
    for (let band = this.bands.get(this.nextY); band; band = this.bands.get(this.nextY)) {
      const pixels = band.rows * width;
      if (band.labelPixels < pixels || (this.withConfidence && band.probabilityPixels < pixels)) return;
      this.bands.delete(this.nextY);
      const y = this.nextY;
      this.nextY += band.rows;
      // the input windows the tiles read, as they are; else copied into bands, or read again
      const intensityPieces = this.intensity ? this.inputWindows?.rowPieces(y, band.rows) : undefined;
      const intensity =
        this.intensity && !intensityPieces
          ? await channelBands(this.intensity, y, band.rows, this.intensityBuffers, this.inputWindows)
          : undefined;
      const extras = {
        ...(intensity ? { intensity } : {}),
        ...(intensityPieces ? { intensityPieces } : {}),
        ...(band.probabilities ? { confidence: this.confidenceOf(band.labels, band.probabilities) } : {}),
      };
      // in parts of about a megapixel, with a turn of the event loop between them, so that the
      // prediction reads the next tiles meanwhile and the model never waits for its input
      const step = Math.max(8, Math.floor(PART_PIXELS / width / 8) * 8);
      for (let from = 0; from < band.rows; from += step) {
        if (from > 0) await yieldToEventLoop();
        this.labeler!.addBandRows(band.labels, extras, from, Math.min(band.rows, from + step));
        await this.handOut();
      }
      this.inputWindows?.done(this.nextY);
      // every pixel of a band is written, so its array serves a later band as it is
      if (this.spareLabels.length < 2) this.spareLabels.push(band.labels);
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
      if (o.filledHoles) await addHolePixels(o, this.intensity, {});
      this.options.onObject(o);
    }
  }

  private async finish(): Promise<void> {
    await this.feeding;
    if (!this.labeler || this.bands.size > 0) throw internalError(`objects: labels incomplete at row ${this.nextY}`);
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
