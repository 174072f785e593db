/** `MemoryImageSource`: an image whose planes are already decoded into typed arrays. Isomorphic. */
import { internalError, invalidArgument } from "../../errors.js";
import {
  allocSamples,
  planeCount,
  type ImageInfo,
  type ImageSource,
  type PlaneIndex,
  type PlaneSizes,
  type Rect,
  type SampleArray,
  type SampleOrder,
} from "../types.js";
import { checkPlane, DEFAULT_ORDER, planeOffset, sampleTypeOf } from "./planes.js";

export interface MemoryImageOptions {
  width: number;
  height: number;
  /** Planes in canonical (scene, t, c, z) order; each `width * height * samplesPerPixel` samples. */
  planes: SampleArray[];
  sizes?: Partial<PlaneSizes>;
  samplesPerPixel?: number;
  sampleOrder?: SampleOrder;
  significantBits?: number;
  format?: string;
  channelNames?: string[];
}

/** An image whose planes are already decoded in memory (all scenes the same size). */
export class MemoryImageSource implements ImageSource {
  readonly info: ImageInfo;
  private readonly planes: SampleArray[];

  constructor(opts: MemoryImageOptions) {
    const sizes: PlaneSizes = { scene: 1, t: 1, c: 1, z: 1, ...opts.sizes };
    const spp = opts.samplesPerPixel ?? 1;
    const first = opts.planes[0];
    if (!first) throw invalidArgument("a memory image needs at least one plane");
    if (opts.planes.length !== planeCount(sizes)) {
      throw invalidArgument(`memory image has ${opts.planes.length} planes but its sizes need ${planeCount(sizes)}`);
    }
    const type = sampleTypeOf(first);
    for (const p of opts.planes) {
      if (p.length !== opts.width * opts.height * spp || sampleTypeOf(p) !== type) {
        throw invalidArgument(
          `memory image plane has ${p.length} ${sampleTypeOf(p)} samples; expected ${opts.width * opts.height * spp} ${type}`,
        );
      }
    }
    const order = opts.sampleOrder ?? DEFAULT_ORDER[spp];
    if (!order) throw invalidArgument(`memory image: no default sample order for ${spp} samples per pixel`);
    this.planes = opts.planes;
    this.info = {
      format: opts.format ?? "memory",
      width: opts.width,
      height: opts.height,
      scenes: Array.from({ length: sizes.scene }, () => ({ width: opts.width, height: opts.height })),
      sizes,
      samplesPerPixel: spp,
      sampleOrder: order,
      sampleType: type,
      ...(opts.significantBits !== undefined ? { significantBits: opts.significantBits } : {}),
      ...(opts.channelNames ? { channelNames: opts.channelNames } : {}),
    };
  }

  async readRegion(plane: PlaneIndex, rect: Rect): Promise<SampleArray> {
    const { width, height, samplesPerPixel: spp, sampleType } = this.info;
    checkPlane(this.info.sizes, plane, "readRegion");
    if (
      !Number.isInteger(rect.x) ||
      !Number.isInteger(rect.y) ||
      rect.x < 0 ||
      rect.y < 0 ||
      rect.width < 1 ||
      rect.height < 1 ||
      rect.x + rect.width > width ||
      rect.y + rect.height > height
    ) {
      throw internalError(`readRegion rectangle ${JSON.stringify(rect)} is outside the ${width}x${height} plane`);
    }
    const src = this.planes[planeOffset(this.info.sizes, plane)]!;
    const out = allocSamples(sampleType, rect.width * rect.height * spp);
    const rowLen = rect.width * spp;
    for (let r = 0; r < rect.height; r++) {
      const from = ((rect.y + r) * width + rect.x) * spp;
      out.set(src.subarray(from, from + rowLen) as never, r * rowLen);
    }
    return out;
  }

  async close(): Promise<void> {}
}
