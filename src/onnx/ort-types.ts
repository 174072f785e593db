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
