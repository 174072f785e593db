/**
 * Which label values form objects, and what they are called, from the classes a model declares
 * or a label image records (`ImageInfo.labelClasses`, a czmodel label output): `--objects-of`
 * entries are class names or label values (a name picks every class of that name), and one the
 * classes lack is an error; without any, every class but the background: the one class named
 * `Background` (any case) where there is one — a bioimage.io model's one sigmoid channel is
 * imported as [channel, Background] — else the first (by ZEN's convention the background).
 * Without known classes, entries must be label values. Isomorphic.
 */
import { invalidArgument } from "../errors.js";
import type { OutputClass } from "../io/types.js";
import type { ClassStyle } from "./geojson.js";

/** The object classes chosen from known classes. */
export interface ObjectClasses {
  /** The label values that form objects. */
  classes: number[];
  /** Name and colour of every known label value. */
  styles: Record<number, ClassStyle>;
  /** The probability plane (class index) of every known label value. */
  planes: Map<number, number>;
}

/** A label value given as text, where no classes are known to look a name up in. */
export function labelValue(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  throw invalidArgument(`"${text}" is not a label value, and no class names are known here`, {
    where: "--objects-of",
    allowed: "label values 1, 2, …; class names with predict or on a label image czmodel wrote (it records its classes)",
  });
}

/** The background class: the one named `Background` (any case, trimmed) where there is one, else the first. */
function backgroundOf(known: readonly OutputClass[]): OutputClass | undefined {
  const named = known.filter((c) => c.name.trim().toLowerCase() === "background");
  return named.length === 1 ? named[0] : known[0];
}

/**
 * The objects of `known` classes: `objectsOf` (names or values) or every class but the background.
 * `owner` names where the classes come from in the error for one that is missing ("this model").
 */
export function objectClasses(known: readonly OutputClass[], objectsOf: readonly string[] | undefined, owner: string): ObjectClasses {
  const chosen = (objectsOf ?? []).flatMap((text) => {
    const found = known.filter((c) => c.name === text || String(c.value) === text);
    if (found.length > 0) return found.map((c) => c.value);
    if (known.length === 0) return [labelValue(text)];
    throw invalidArgument(`class ${text} does not exist in ${owner}`, {
      where: "--objects-of",
      allowed: known.map((c) => `${c.value} (${c.name})`).join(", "),
    });
  });
  const background = backgroundOf(known);
  return {
    classes: objectsOf ? [...new Set(chosen)] : known.filter((c) => c !== background && c.value >= 1).map((c) => c.value),
    styles: Object.fromEntries(known.map((c) => [c.value, { name: c.name, color: c.color }])),
    planes: new Map(known.map((c, i) => [c.value, i])),
  };
}
