/**
 * One plane stack of an image as an image of its own: `planeView(source, { scene, t, z, c })`
 * reads the chosen scene, time point and Z plane (and, with `c`, one channel) of `source` and
 * describes itself as an image of just those planes, so that code made for one plane (objects)
 * runs on a stack without a conversion first; `PlanesView` is the view itself, for any list of
 * planes of one scene (a bioimage.io sample's planes, too). Reads go straight to the source;
 * nothing is copied or held. Isomorphic.
 */
import { internalError, invalidArgument } from "../errors.js";
import { readsRegionsInto } from "./reuse.js";
import type { ImageInfo, ImageSource, PlaneIndex, Rect, SampleArray } from "./types.js";

/** The plane indices to keep (0-based). A missing scene, t or z must have one plane only (else an error); a missing c keeps every channel. */
export interface PlanePick {
  scene?: number;
  t?: number;
  z?: number;
  c?: number;
}

const AXIS_NAMES = {
  scene: ["scene", "scenes"],
  t: ["time point", "time points"],
  z: ["Z plane", "Z planes"],
  c: ["channel", "channels"],
} as const;

/** The index `pick` keeps on `axis`, checked against the image's size there. */
function checkedIndex(info: ImageInfo, pick: PlanePick, axis: keyof PlanePick, where: string): number | undefined {
  const index = pick[axis];
  const size = info.sizes[axis];
  // a plane left to chance would be measured silently: an axis of several planes must be picked
  if (index === undefined && axis !== "c" && size > 1)
    throw invalidArgument(`${where} has ${size} ${AXIS_NAMES[axis][1]}: pick one`, { where: "--plane", allowed: `${axis}=0..${size - 1}` });
  if (index === undefined) return undefined;
  if (!Number.isInteger(index) || index < 0 || index >= size)
    throw invalidArgument(`${axis}=${index}, but ${where} has ${size} ${AXIS_NAMES[axis][size === 1 ? 0 : 1]}`, {
      where: "--plane",
      allowed: `${axis}=0..${size - 1}`,
    });
  return index;
}

/**
 * Chosen planes of `source` as an image of one scene, time point and Z plane whose channels are
 * those planes, in order (plane k is read as C plane k). Channel names and colours follow the
 * planes where the image has one per channel. Forwards `readRegionInto`. `close` closes `source`
 * unless `owner` is false (the caller closes it).
 */
export class PlanesView implements ImageSource {
  readonly info: ImageInfo;
  readRegionInto?: (plane: PlaneIndex, rect: Rect, out: SampleArray) => Promise<SampleArray>;

  constructor(
    private readonly source: ImageSource,
    private readonly planes: PlaneIndex[],
    private readonly owner = true,
  ) {
    const full = source.info;
    const size = full.scenes[planes[0]!.scene] ?? { width: full.width, height: full.height };
    const { foldedIntoT: _folded, channelNames, channelColors, ...rest } = full;
    const perChannel = <T>(values: T[] | undefined) => (values?.length === full.sizes.c ? planes.map((p) => values[p.c]!) : undefined);
    const names = perChannel(channelNames);
    const colors = perChannel(channelColors);
    this.info = {
      ...rest,
      width: size.width,
      height: size.height,
      scenes: [{ ...size }],
      sizes: { scene: 1, t: 1, z: 1, c: planes.length },
      ...(names ? { channelNames: names } : {}),
      ...(colors ? { channelColors: colors } : {}),
    };
    if (readsRegionsInto(source)) {
      const inner = source;
      this.readRegionInto = (plane, rect, out) => inner.readRegionInto(this.planeOf(plane), rect, out);
    }
  }

  private planeOf(p: PlaneIndex): PlaneIndex {
    const plane = this.planes[p.c];
    if (!plane || p.scene !== 0 || p.t !== 0 || p.z !== 0) throw internalError(`plane ${JSON.stringify(p)} is outside the view`);
    return plane;
  }

  readRegion(plane: PlaneIndex, rect: Rect): Promise<SampleArray> {
    return this.source.readRegion(this.planeOf(plane), rect);
  }

  async close(): Promise<void> {
    if (this.owner) await this.source.close();
  }
}

/** `source` seen as the planes `pick` keeps; `where` names the image in errors (e.g. "the label image"). */
export function planeView(source: ImageSource, pick: PlanePick, where: string): ImageSource {
  const { info } = source;
  const scene = checkedIndex(info, pick, "scene", where) ?? 0;
  const t = checkedIndex(info, pick, "t", where) ?? 0;
  const z = checkedIndex(info, pick, "z", where) ?? 0;
  const c = checkedIndex(info, pick, "c", where);
  const channels = c === undefined ? Array.from({ length: info.sizes.c }, (_, k) => k) : [c];
  return new PlanesView(
    source,
    channels.map((k) => ({ scene, t, c: k, z })),
  );
}
