/**
 * The streaming statistics pass over one sample (one 2-D plane, or a group of grey C planes
 * fed as the model's channels) of an `ImageSource`: the plane is read region by region
 * (`REGION`² pixels at a time), each region is turned into the model's channel values exactly
 * as the engine feeds them (raw intensities, the engine's channel mapping, float32), and
 * folded into the accumulators of `statistics.ts`. Memory: one region and the histograms,
 * whatever the image size.
 *
 * - 8/16-bit images whose model channels each come from one sample: one pass builds a histogram
 *   per channel; every statistics step is then answered from the histograms, also after
 *   earlier elementwise steps (`fns`, applied to each of the 65536 values) — exact;
 * - anything else (float, 32-bit, colour averaged to grey): each request reads the image
 *   once for mean/std/min/max, and once more when it needs percentiles other than p0/p100
 *   (the float32 key refinement) — exact as well.
 * Isomorphic.
 */
import { cancelled, unsupported } from "../errors.js";
import type { ChannelMapping } from "../engine/pixels.js";
import type { ImageSource, PlaneIndex, Rect, SampleArray } from "../io/types.js";
import {
  addSamples,
  KeyHistogram,
  KeyRefinement,
  MomentAccumulator,
  newHistogram,
  percentilesFrom,
  ranksNeeded,
  statisticsOfCounts,
  valueCounts,
  type GroupStatistics,
  type Histogram,
  type StatNeeds,
} from "./statistics.js";

/** Side of the square regions read at a time. */
const REGION = 1024;

/** An elementwise function per model channel (null: identity). */
export type ChannelFns = ((x: number) => number)[] | null;

export interface SampleInput {
  source: ImageSource;
  /** The planes read for this sample: one, or the grouped grey C planes (`Stack.inputs[0]`). */
  planes: PlaneIndex[];
  width: number;
  height: number;
  mapping: ChannelMapping;
}

export interface PassOptions {
  signal?: AbortSignal;
  /** Called after each region read. */
  onRegion?: () => void;
  /** Region side (default `REGION`). */
  region?: number;
}

export type StatisticsMethod = "histogram" | "float32";

const HISTOGRAM_TYPES = new Set(["uint8", "int8", "uint16", "int16"]);

/** How statistics of a sample with this input are computed. */
export function methodFor(input: Pick<SampleInput, "source" | "mapping">): StatisticsMethod {
  const type = input.source.info.sampleType;
  const single = input.mapping.channels.every((c) => c.kind === "constant" || c.picks.length === 1);
  return HISTOGRAM_TYPES.has(type) && single ? "histogram" : "float32";
}

/** Image passes a request needs (for progress): the histogram pass once; float: 1, or 2 with inner percentiles. */
export function passesFor(method: StatisticsMethod, needs: StatNeeds): number {
  if (method === "histogram") return 0;
  return needs.percentiles.some((q) => q !== 0 && q !== 100) ? 2 : 1;
}

export function regionCount(width: number, height: number, region = REGION): number {
  return Math.ceil(width / region) * Math.ceil(height / region);
}

/** Answers statistics requests about one sample, reading it as often as needed. */
export class SampleStatistician {
  readonly method: StatisticsMethod;
  /** Image passes made so far. */
  passes = 0;
  private hists: Histogram[] | null = null;
  private readonly region: number;

  constructor(
    private readonly input: SampleInput,
    private readonly options: PassOptions = {},
  ) {
    this.method = methodFor(input);
    this.region = options.region ?? REGION;
  }

  /** Statistics of the channel values mapped through `fns`: one per channel (`per-channel`) or one for all (`joint`). */
  async statistics(scope: "joint" | "per-channel", fns: ChannelFns, needs: StatNeeds): Promise<GroupStatistics[]> {
    return this.method === "histogram" ? this.fromHistograms(scope, fns, needs) : this.fromFloats(scope, fns, needs);
  }

  private async fromHistograms(scope: "joint" | "per-channel", fns: ChannelFns, needs: StatNeeds): Promise<GroupStatistics[]> {
    const hists = this.hists ?? (await this.histogramPass());
    const groups = scope === "joint" ? [hists.map((_, k) => k)] : hists.map((_, k) => [k]);
    return groups.map((ks) => {
      const { values, counts } = valueCounts(
        ks.map((k) => hists[k]!),
        ks.map((k) => fns?.[k] ?? null),
      );
      return statisticsOfCounts(values, counts, needs);
    });
  }

  private async histogramPass(): Promise<Histogram[]> {
    const { mapping } = this.input;
    const type = this.input.source.info.sampleType as "uint8" | "int8" | "uint16" | "int16";
    const spp = this.input.source.info.samplesPerPixel;
    const hists = mapping.channels.map(() => newHistogram(type));
    await this.eachRegion((windows, pixels) => {
      mapping.channels.forEach((ch, k) => {
        if (ch.kind === "constant") {
          // the engine feeds an opaque alpha as 1.0
          hists[k]!.counts[1 + hists[k]!.offset]! += pixels;
          return;
        }
        const pick = ch.picks[0]!;
        addSamples(hists[k]!, windows[pick.plane]!, pick.sample, spp, pixels);
      });
    });
    this.hists = hists;
    return hists;
  }

  private async fromFloats(scope: "joint" | "per-channel", fns: ChannelFns, needs: StatNeeds): Promise<GroupStatistics[]> {
    const channels = this.input.mapping.channels.length;
    const groupOf = (k: number) => (scope === "joint" ? 0 : k);
    const groupCount = scope === "joint" ? 1 : channels;
    const inner = needs.percentiles.filter((q) => q !== 0 && q !== 100);
    const moments = Array.from({ length: groupCount }, () => new MomentAccumulator());
    const keyHists = inner.length ? Array.from({ length: groupCount }, () => new KeyHistogram()) : null;
    const buf = new Float32Array(this.region * this.region);
    const bits = new Uint32Array(buf.buffer);
    await this.eachRegion((windows, pixels) => {
      for (let k = 0; k < channels; k++) {
        this.channelValues(k, windows, pixels, buf, fns?.[k] ?? null);
        moments[groupOf(k)]!.add(buf, pixels);
        if (keyHists) keyHists[groupOf(k)]!.add(bits, buf, pixels);
      }
    });
    const nanCount = moments.reduce((s, m) => s + m.nan, 0);
    if (nanCount > 0) {
      throw unsupported(`the sample holds ${nanCount} NaN value(s); its statistics would be NaN`, {
        where: "statistics pass",
        allowed: "images without NaN",
      });
    }
    // ranks to refine, per group
    const located = keyHists?.map((h, gi) => {
      const n = moments[gi]!.n;
      const ranks = ranksNeeded(n, inner);
      const bins = h.locate(ranks);
      return { n, at: new Map(ranks.map((r, i) => [r, bins[i]!])) };
    });
    let refinements: KeyRefinement[] | null = null;
    if (located) {
      refinements = located.map((l) => new KeyRefinement([...l.at.values()].map((x) => x.bin)));
      await this.eachRegion((windows, pixels) => {
        for (let k = 0; k < channels; k++) {
          this.channelValues(k, windows, pixels, buf, fns?.[k] ?? null);
          refinements![groupOf(k)]!.add(bits, buf, pixels);
        }
      });
    }
    return moments.map((m, gi) => {
      const percentiles = new Map<number, number>();
      for (const q of needs.percentiles) {
        if (q === 0) percentiles.set(q, m.min);
        else if (q === 100) percentiles.set(q, m.max);
      }
      if (located && refinements) {
        const l = located[gi]!;
        const r = refinements[gi]!;
        const inside = percentilesFrom(l.n, inner, (rank) => {
          const at = l.at.get(rank)!;
          return r.valueAt(at.bin, at.inner);
        });
        for (const [q, v] of inside) percentiles.set(q, v);
      }
      return { count: m.n, mean: m.mean, std: m.std, min: m.min, max: m.max, percentiles };
    });
  }

  /** Model channel `k` of a region as float32 (as the engine feeds it), mapped through `fn`, into `out`. */
  private channelValues(k: number, windows: SampleArray[], pixels: number, out: Float32Array, fn: ((x: number) => number) | null): void {
    const ch = this.input.mapping.channels[k]!;
    const spp = this.input.source.info.samplesPerPixel;
    if (ch.kind === "constant") out.fill(1, 0, pixels);
    else if (ch.picks.length === 1) {
      const { plane, sample } = ch.picks[0]!;
      const s = windows[plane]!;
      for (let p = 0, i = sample; p < pixels; p++, i += spp) out[p] = s[i]!;
    } else {
      const n = ch.picks.length;
      for (let p = 0; p < pixels; p++) {
        let sum = 0;
        for (const pick of ch.picks) sum += windows[pick.plane]![p * spp + pick.sample]!;
        out[p] = sum / n;
      }
    }
    if (fn) for (let p = 0; p < pixels; p++) out[p] = fn(out[p]!);
  }

  /** Read the sample region by region (every grouped plane of each region), in raster order. */
  private async eachRegion(visit: (windows: SampleArray[], pixels: number) => void): Promise<void> {
    const { source, planes, width, height } = this.input;
    const r = this.region;
    for (let y = 0; y < height; y += r) {
      for (let x = 0; x < width; x += r) {
        if (this.options.signal?.aborted) throw cancelled("prediction cancelled");
        const rect: Rect = { x, y, width: Math.min(r, width - x), height: Math.min(r, height - y) };
        const windows = await Promise.all(planes.map((p) => source.readRegion(p, rect)));
        visit(windows, rect.width * rect.height);
        this.options.onRegion?.();
      }
    }
    this.passes++;
  }
}
