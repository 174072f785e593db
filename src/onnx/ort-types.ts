/**
 * The slice of the onnxruntime API this module uses, typed from `onnxruntime-common` (types
 * only), so callers can pass `onnxruntime-node` or `onnxruntime-web` alike. Isomorphic.
 */
import type * as OrtCommon from "onnxruntime-common";

/**
 * The parts of an onnxruntime package this library uses: the namespace of onnxruntime-node or
 * onnxruntime-web (`import * as ort`). The engine, the numeric validation and the
 * spatial-invariance proof all take it as an argument.
 */
export interface OrtRuntime {
  InferenceSession: {
    create(model: Uint8Array, options?: OrtCommon.InferenceSession.SessionOptions): Promise<OrtCommon.InferenceSession>;
  };
  Tensor: OrtCommon.TensorConstructor;
}
export type OrtSession = OrtCommon.InferenceSession;
export type OrtSessionOptions = OrtCommon.InferenceSession.SessionOptions;

/** First line of an error message from the runtime (they can be long and multi-line). */
export function runtimeMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return (text.split("\n").find((l) => l.trim() !== "") ?? text).trim();
}
