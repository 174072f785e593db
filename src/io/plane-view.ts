/**
 * One plane stack of an image as an image of its own: `planeView(source, { scene, t, z, c })`
 * reads the chosen scene, time point and Z plane (and, with `c`, one channel) of `source` and
 * describes itself as an image of just those planes, so that code made for one plane (objects)
 * runs on a stack without a conversion first. Reads go straight to the source; nothing is copied
 * or held. Isomorphic.
 */
import { invalidArgument } from "../errors.js";
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

/** `source` seen as the planes `pick` keeps; `where` names the image in errors (e.g. "the label image"). */
export function planeView(source: ImageSource, pick: PlanePick, where: string): ImageSource {
  const { info } = source;
  const scene = checkedIndex(info, pick, "scene", where) ?? 0;
  const t = checkedIndex(info, pick, "t", where) ?? 0;
  const z = checkedIndex(info, pick, "z", where) ?? 0;
  const c = checkedIndex(info, pick, "c", where);
  const size = info.scenes[scene] ?? { width: info.width, height: info.height };
  const { foldedIntoT: _folded, channelNames, channelColors, ...rest } = info;
  const keepsNames = c === undefined || channelNames?.length !== info.sizes.c;
  const names = keepsNames ? channelNames : [channelNames[c]!];
  const colors = c === undefined || channelColors?.length !== info.sizes.c ? channelColors : [channelColors[c]!];
  const view: ImageInfo = {
    ...rest,
    width: size.width,
    height: size.height,
    scenes: [{ ...size }],
    sizes: { scene: 1, t: 1, z: 1, c: c === undefined ? info.sizes.c : 1 },
    ...(names ? { channelNames: names } : {}),
    ...(colors ? { channelColors: colors } : {}),
  };
  const at = (plane: PlaneIndex): PlaneIndex => ({ scene, t, z, c: c ?? plane.c });
  const wrapper: ImageSource & { readRegionInto?: (plane: PlaneIndex, rect: Rect, out: SampleArray) => Promise<SampleArray> } = {
    info: view,
    readRegion: (plane, rect) => source.readRegion(at(plane), rect),
    close: () => source.close(),
  };
  if (readsRegionsInto(source)) wrapper.readRegionInto = (plane, rect, out) => source.readRegionInto(at(plane), rect, out);
  return wrapper;
}
