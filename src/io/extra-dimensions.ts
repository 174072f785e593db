/**
 * Extra plane dimensions (CZI H, B, V, R, I) and the checked picking of plane indices that
 * prediction and conversion share. A reader asked to loop such dimensions folds them into the
 * T axis (`ImageInfo.foldedIntoT`: t = (…(T·n₁ + d₁)·n₂ + d₂)…, the last dimension fastest);
 * `pickT` undoes that fold for a selection and says how the output folds the one dimension it
 * keeps (`TModulo`, written as OME `ModuloAlongT` or OME-Zarr metadata). See docs/czi.md.
 * Isomorphic.
 */
import { invalidArgument, unsupported } from "../errors.js";
import type { ExtraDimension, ImageInfo, TModulo } from "./types.js";

/** Loopable dimensions, by their `--plane` name (the CZI letter in lower case). */
export const EXTRA_DIMENSIONS: readonly ExtraDimension[] = ["h", "b", "v", "r", "i"];

/** Indices to keep per extra dimension (0-based from the file's lowest index). */
export type ExtraSelection = Partial<Record<ExtraDimension, number[]>>;

/** The extra dimensions a selection names (the ones a reader must loop). */
export function selectedExtraDimensions(selection: ExtraSelection | undefined): ExtraDimension[] {
  return EXTRA_DIMENSIONS.filter((d) => selection?.[d] !== undefined);
}

/** Check a selection of `axis` indices against its size; no selection keeps every index. */
export function pickIndices(axis: string, size: number, wanted: readonly number[] | undefined): number[] {
  if (!wanted) return Array.from({ length: size }, (_, i) => i);
  if (wanted.length === 0) throw invalidArgument(`no ${axis} index selected`, { where: `--plane ${axis}=` });
  const seen = new Set<number>();
  for (const v of wanted) {
    if (!Number.isInteger(v) || v < 0 || v >= size) {
      throw invalidArgument(`${axis} index ${v} is out of range`, { where: `--plane ${axis}=`, allowed: `0..${size - 1}` });
    }
    if (seen.has(v)) throw invalidArgument(`${axis} index ${v} is selected twice`, { where: `--plane ${axis}=` });
    seen.add(v);
  }
  return [...wanted];
}

/**
 * The input t indices to read, in output order, for a selection of T and of the extra
 * dimensions (a dimension the image lacks has size 1), and the output's fold when one extra
 * dimension keeps several indices. Two such dimensions in one output are refused.
 */
export function pickT(info: ImageInfo, selection: ExtraSelection & { t?: number[] }): { t: number[]; modulo?: TModulo } {
  const folded = info.foldedIntoT ?? [];
  for (const d of selectedExtraDimensions(selection)) if (!folded.some((f) => f.name === d)) pickIndices(d, 1, selection[d]);
  const inner = folded.reduce((n, f) => n * f.size, 1);
  const ts = pickIndices("t", info.sizes.t / inner, selection.t);
  const picks = folded.map((f) => ({ ...f, picked: pickIndices(f.name, f.size, selection[f.name]) }));
  const kept = picks.filter((p) => p.picked.length > 1);
  if (kept.length > 1) {
    throw unsupported(`several indices of both ${kept[0]!.name} and ${kept[1]!.name} are selected`, {
      where: "--plane",
      allowed: `several indices of at most one of ${EXTRA_DIMENSIONS.join(", ")} per run; pick one index of the others`,
    });
  }
  const t: number[] = [];
  for (const t0 of ts) {
    const loop = kept[0]?.picked ?? [0];
    for (const k of loop) {
      let index = t0;
      for (const p of picks) index = index * p.size + (p === kept[0] ? k : p.picked[0]!);
      t.push(index);
    }
  }
  return kept[0] ? { t, modulo: { dimension: kept[0].name, indices: kept[0].picked } } : { t };
}
