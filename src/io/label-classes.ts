/**
 * The classes a czmodel label output records, read back: every label image `predict` writes
 * names its model's classes (value, name, colour) in its metadata — a PNG `tEXt` chunk
 * `czmodel` (JSON `{kind, classes}`), OME-TIFF MapAnnotations `czmodel/output` (`kind`),
 * `czmodel/class-names` and `czmodel/class-colors`, OME-Zarr attributes `czmodel`. The readers
 * turn these into `ImageInfo.labelClasses`, in the model's class order, so that `objects` on a
 * written label image knows which value is the background (the model's first class) and what
 * the others are called. Only records of kind `labels` count. The records are optional facts,
 * not image data: an invalid one (a value that is not an integer in 0..2³²−1, repeated values,
 * a name that is not a string, a colour that is not three bytes) is ignored as a whole, and
 * the image reads as if it had none. Isomorphic.
 */
import { classColor } from "../metadata/class-colors.js";
import { hexToRgb } from "./channel-colors.js";
import type { OutputClass, RgbColor } from "./types.js";

const MAX_VALUE = 0xffffffff;

const isByte = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 255;

/** The colour of a value with none recorded: czmodel's palette for 1..255, else grey. */
const fallbackColor = (value: number): RgbColor => (value >= 1 && value <= 255 ? [...classColor(value)] : [128, 128, 128]);

/** Checked classes, or undefined when one is invalid or two share a value. */
function checked(list: { value: unknown; name: unknown; color: unknown }[]): OutputClass[] | undefined {
  const seen = new Set<number>();
  const out: OutputClass[] = [];
  for (const c of list) {
    const { value, name, color } = c;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_VALUE || seen.has(value)) return undefined;
    if (typeof name !== "string") return undefined;
    if (color !== undefined && !(Array.isArray(color) && color.length === 3 && color.every(isByte))) return undefined;
    seen.add(value);
    out.push({ value, name, color: color ? ([...color] as RgbColor) : fallbackColor(value) });
  }
  return out.length > 0 ? out : undefined;
}

/** The classes of a JSON record `{ kind: "labels", classes: [{ value, name, color }] }` (PNG, OME-Zarr). */
export function labelClassesOfRecord(record: unknown): OutputClass[] | undefined {
  if (typeof record !== "object" || record === null) return undefined;
  const { kind, classes } = record as { kind?: unknown; classes?: unknown };
  if (kind !== "labels" || !Array.isArray(classes)) return undefined;
  if (!classes.every((c) => typeof c === "object" && c !== null)) return undefined;
  return checked(classes as { value: unknown; name: unknown; color: unknown }[]);
}

/** The classes of a PNG's `tEXt` chunks (`czmodel`: the JSON record). */
export function labelClassesOfPngText(text: Record<string, string>): OutputClass[] | undefined {
  const json = text.czmodel;
  if (json === undefined) return undefined;
  try {
    return labelClassesOfRecord(JSON.parse(json));
  } catch {
    return undefined;
  }
}

/**
 * The classes of OME MapAnnotations (namespace → entries in order): `czmodel/output` with
 * `kind` = `labels`, `czmodel/class-names` (value → name, in class order) and optionally
 * `czmodel/class-colors` (value → `#rrggbb`).
 */
export function labelClassesOfAnnotations(maps: ReadonlyMap<string, readonly [string, string][]>): OutputClass[] | undefined {
  const kind = maps.get("czmodel/output")?.find(([k]) => k === "kind")?.[1];
  const names = maps.get("czmodel/class-names");
  if (kind !== "labels" || !names) return undefined;
  const colors = new Map(maps.get("czmodel/class-colors") ?? []);
  const list = names.map(([key, name]) => {
    const hex = colors.get(key);
    const rgb = hex === undefined ? undefined : hexToRgb(hex);
    return { value: /^\d+$/.test(key) ? Number(key) : Number.NaN, name, color: rgb === null ? [] : rgb };
  });
  return checked(list);
}
