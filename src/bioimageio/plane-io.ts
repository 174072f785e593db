/**
 * The sink side of running the engine once per sample of a package while the output stays one
 * file (the input side, one sample of an image as an image of its own, is `PlanesView` in
 * io/plane-view.ts): `PackageSink` takes the engine's output for that sample and writes it at
 * the sample's plane of the real sink, which is begun once (with every output plane, the
 * package's channel names and description) and finished after the last sample. It forwards the
 * optional buffer-reuse capabilities of what it wraps (`writeTile`, `releasesBands`), so the
 * engine streams through it as it does through the real sink. Isomorphic.
 */
import { internalError } from "../errors.js";
import { releasesBands } from "../io/reuse.js";
import {
  writesTiles,
  type ImageSink,
  type OutputImageInfo,
  type PlaneIndex,
  type PlaneSizes,
  type Rect,
  type SampleArray,
  type TModulo,
} from "../io/types.js";

export interface PackageSinkOptions {
  /** Every output plane of the whole run. */
  sizes: PlaneSizes;
  /** The extra dimension the output's T axis holds (`--plane h=0-3`). */
  tModulo?: TModulo;
  planeNames?: string[];
  /** The package's output channel names. */
  channelNames: string[];
  /** Merged into the output's description. */
  description: Record<string, unknown>;
  /** Engine runs that will write into this sink (`finish` is passed on after the last). */
  runs: number;
}

/** The real sink seen by one engine run after another (see the module doc). */
export class PackageSink implements ImageSink {
  /** Output plane the current run writes (null: the run writes every plane itself). */
  target: PlaneIndex | null = null;
  writeTile?: (plane: PlaneIndex, rect: Rect, data: SampleArray) => Promise<void>;
  readonly releasesBands?: true;
  private begun: OutputImageInfo | null = null;
  private finished = 0;

  constructor(
    private readonly inner: ImageSink,
    private readonly options: PackageSinkOptions,
  ) {
    if (writesTiles(inner)) this.writeTile = (plane, rect, data) => inner.writeTile(this.map(plane), rect, data);
    if (releasesBands(inner)) this.releasesBands = true;
  }

  /** What the real sink was begun with. */
  get info(): OutputImageInfo | null {
    return this.begun;
  }

  private map(p: PlaneIndex): PlaneIndex {
    if (!this.target) return p;
    if (p.scene !== 0 || p.t !== 0 || p.c !== 0 || p.z !== 0) throw internalError(`a one-sample run wrote plane ${JSON.stringify(p)}`);
    return this.target;
  }

  async begin(info: OutputImageInfo): Promise<void> {
    if (this.begun) {
      const b = this.begun;
      if (
        info.width !== b.width ||
        info.height !== b.height ||
        info.samplesPerPixel !== b.samplesPerPixel ||
        info.sampleType !== b.sampleType
      ) {
        throw internalError("samples of one image gave outputs of different shapes");
      }
      return;
    }
    const rest: OutputImageInfo = { ...info };
    delete rest.planeNames;
    delete rest.tModulo;
    const full: OutputImageInfo = {
      ...rest,
      sizes: this.options.sizes,
      ...(this.options.tModulo ? { tModulo: this.options.tModulo } : {}),
      ...(this.options.planeNames ? { planeNames: this.options.planeNames } : {}),
      channelNames: this.options.channelNames,
      description: { ...info.description, ...this.options.description },
    };
    await this.inner.begin(full);
    this.begun = full;
  }

  writeBand(plane: PlaneIndex, y: number, rows: number, data: SampleArray): Promise<void> {
    return this.inner.writeBand(this.map(plane), y, rows, data);
  }

  async finish(): Promise<void> {
    this.finished++;
    if (this.finished === this.options.runs) await this.inner.finish();
  }

  abort(): Promise<void> {
    return this.inner.abort();
  }
}
