/** Plane bookkeeping shared by the in-memory source and sink: sample types of typed arrays, plane offsets, index checks. */
import { invalidArgument } from "../../errors.js";
import type { PlaneIndex, PlaneSizes, SampleArray, SampleOrder, SampleType } from "../types.js";

/** The `SampleType` of a typed array. */
export function sampleTypeOf(data: SampleArray): SampleType {
  if (data instanceof Uint8Array) return "uint8";
  if (data instanceof Int8Array) return "int8";
  if (data instanceof Uint16Array) return "uint16";
  if (data instanceof Int16Array) return "int16";
  if (data instanceof Uint32Array) return "uint32";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Float32Array) return "float32";
  return "float64";
}

/** The sample order a plane with 1–4 samples per pixel has unless told otherwise. */
export const DEFAULT_ORDER: Record<number, SampleOrder> = { 1: "gray", 2: "gray-alpha", 3: "rgb", 4: "rgba" };

/** Position of a plane in canonical (scene, t, c, z) order. */
export function planeOffset(sizes: PlaneSizes, p: PlaneIndex): number {
  return ((p.scene * sizes.t + p.t) * sizes.c + p.c) * sizes.z + p.z;
}

/** Throws a one-line error when a plane index lies outside the image's sizes. */
export function checkPlane(sizes: PlaneSizes, p: PlaneIndex, where: string): void {
  for (const axis of ["scene", "t", "c", "z"] as const) {
    const v = p[axis];
    if (!Number.isInteger(v) || v < 0 || v >= sizes[axis]) {
      throw invalidArgument(`plane index ${axis}=${v} is out of range`, { where, allowed: `0..${sizes[axis] - 1}` });
    }
  }
}
