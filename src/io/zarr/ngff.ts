/**
 * OME-NGFF image metadata: finds `multiscales` in a group's attributes (NGFF 0.4 and earlier:
 * `.zattrs` → `multiscales`; NGFF 0.5: `zarr.json` attributes → `ome.multiscales`), names each
 * array axis t / c / z / y / x (0.4 axis objects, 0.3 axis names, ≤ 0.2 implied `tczyx`),
 * takes dataset 0 (full resolution) and turns its `scale` (times any multiscale-level scale)
 * and axis units into a physical pixel size in metres. Also reads `omero` channel labels and
 * colours, and the classes a czmodel label output records (its `czmodel` attributes).
 * Isomorphic.
 */
import { invalidMetadata, unsupported } from "../../errors.js";
import { toMetres } from "../physical-units.js";
import type { OutputClass, PhysicalSize, RgbColor } from "../types.js";
import { hexToRgb } from "../channel-colors.js";
import { labelClassesOfRecord } from "../label-classes.js";

export type AxisName = "t" | "c" | "z" | "y" | "x";

export interface NgffImage {
  version?: string;
  name?: string;
  /** One name per array dimension, in array order. */
  axes: AxisName[];
  /** Path of the full-resolution array, relative to the image group. */
  datasetPath: string;
  levels: number;
  physicalSize?: PhysicalSize;
  channelNames?: string[];
  /** `omero` channel colours, null where a channel has none. */
  channelColors?: (RgbColor | null)[];
  /** The classes a czmodel label output records (`czmodel` attributes). */
  labelClasses?: OutputClass[];
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The object that holds `multiscales` (NGFF 0.5 nests it under `ome`), or undefined. */
export function ngffRoot(attrs: Json): Json | undefined {
  if (isObject(attrs.ome) && Array.isArray((attrs.ome as Json).multiscales)) return attrs.ome as Json;
  if (Array.isArray(attrs.multiscales)) return attrs;
  return undefined;
}

function axisName(axis: unknown, i: number, where: string): AxisName {
  const name = typeof axis === "string" ? axis : isObject(axis) ? axis.name : undefined;
  const type = isObject(axis) ? axis.type : undefined;
  const lower = typeof name === "string" ? name.toLowerCase() : "";
  if (["t", "c", "z", "y", "x"].includes(lower)) return lower as AxisName;
  if (type === "time") return "t";
  if (type === "channel") return "c";
  throw unsupported(`unsupported axis ${i} "${String(name)}" (type ${String(type)})`, {
    where,
    allowed: "axes named t, c, z, y, x (or of type time / channel)",
  });
}

function scaleOf(transforms: unknown): number[] | undefined {
  if (!Array.isArray(transforms)) return undefined;
  const scale = transforms.find((t) => isObject(t) && t.type === "scale" && Array.isArray(t.scale)) as Json | undefined;
  return scale ? (scale.scale as unknown[]).map(Number) : undefined;
}

/** Parse the first multiscale image of `root` (from `ngffRoot`). */
export function parseNgffImage(root: Json, attrs: Json, where: string): NgffImage {
  const multiscales = root.multiscales as unknown[];
  const ms = multiscales[0];
  if (!isObject(ms)) throw invalidMetadata("multiscales[0] is not an object", { where });
  const version = typeof ms.version === "string" ? ms.version : typeof root.version === "string" ? (root.version as string) : undefined;
  const datasets = ms.datasets;
  if (!Array.isArray(datasets) || datasets.length === 0 || !isObject(datasets[0]) || typeof datasets[0].path !== "string") {
    throw invalidMetadata("multiscales[0].datasets[0].path is missing", { where });
  }
  const rawAxes = Array.isArray(ms.axes) ? (ms.axes as unknown[]) : ["t", "c", "z", "y", "x"];
  const axes = rawAxes.map((a, i) => axisName(a, i, `${where}: multiscales[0].axes`));
  if (new Set(axes).size !== axes.length) throw invalidMetadata(`axes ${axes.join(",")} repeat a name`, { where });
  if (!axes.includes("y") || !axes.includes("x")) throw unsupported(`unsupported axes ${axes.join(",")}: no y and x`, { where });

  let physicalSize: PhysicalSize | undefined;
  const scale = scaleOf(datasets[0].coordinateTransformations);
  const msScale = scaleOf(ms.coordinateTransformations);
  if (scale && scale.length === axes.length) {
    for (const axis of ["x", "y", "z"] as const) {
      const i = axes.indexOf(axis);
      const unit = isObject(rawAxes[i]) ? (rawAxes[i] as Json).unit : undefined;
      if (i < 0 || typeof unit !== "string") continue;
      const metres = toMetres(scale[i]! * (msScale && msScale.length === axes.length ? msScale[i]! : 1), unit);
      if (metres !== undefined) {
        physicalSize ??= {};
        physicalSize[axis] = metres;
      }
    }
  }
  const omero = isObject(root.omero) ? root.omero : isObject(attrs.omero) ? attrs.omero : undefined;
  const channels = omero && Array.isArray(omero.channels) ? (omero.channels as unknown[]) : [];
  const channelNames = channels.map((ch, i) => (isObject(ch) && typeof ch.label === "string" ? (ch.label as string) : `C${i}`));
  const channelColors = channels.map((ch) => (isObject(ch) ? hexToRgb(ch.color) : null));
  const labelClasses = labelClassesOfRecord(root.czmodel ?? attrs.czmodel);
  return {
    ...(version ? { version } : {}),
    ...(typeof ms.name === "string" ? { name: ms.name } : {}),
    axes,
    datasetPath: datasets[0].path as string,
    levels: datasets.length,
    ...(physicalSize ? { physicalSize } : {}),
    ...(channels.length > 0 ? { channelNames } : {}),
    ...(channelColors.some((c) => c !== null) ? { channelColors } : {}),
    ...(labelClasses ? { labelClasses } : {}),
  };
}
