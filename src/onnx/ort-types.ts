/**
 * The slice of the onnxruntime API this module uses, typed from `onnxruntime-common` (types
 * only), so callers can pass `onnxruntime-node` or `onnxruntime-web` alike. Isomorphic.
 */
import type * as OrtCommon from "onnxruntime-common";

export type OrtModule = Pick<typeof OrtCommon, "InferenceSession" | "Tensor">;
export type OrtSession = OrtCommon.InferenceSession;
export type OrtSessionOptions = OrtCommon.InferenceSession.SessionOptions;
export type OrtTensor = OrtCommon.Tensor;

/** First line of an error message from the runtime (they can be long and multi-line). */
export function runtimeMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return (text.split("\n").find((l) => l.trim() !== "") ?? text).trim();
}

/** Deterministic pseudo-random data for test runs (LCG), values in [0, 1) or integers [0, max]. */
export function syntheticData(type: string, length: number, seed = 12345): Float32Array | Uint8Array | Uint16Array {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  if (type === "uint8") return Uint8Array.from({ length }, () => Math.floor(next() * 256));
  if (type === "uint16") return Uint16Array.from({ length }, () => Math.floor(next() * 65536));
  return Float32Array.from({ length }, next);
}
