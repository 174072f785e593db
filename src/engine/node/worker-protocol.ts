/**
 * Messages between `WorkerSession` (main thread) and its worker thread (`session-worker.ts`):
 * a small RPC where each request has an id and gets exactly one `WorkerReply`. Buffers named
 * in a request or reply are moved (transferred), not copied. Type-only; shared by both sides.
 */
import type { InferenceSession, Tensor } from "onnxruntime-common";

/** `workerData` of the session worker. */
export interface SessionWorkerData {
  /** onnxruntime-node's main file, as resolved by the main thread. */
  ortPath: string;
  /** The engine's SIMD kernels (`assemble()` in `simd.ts`), for two-class labels; null where WebAssembly SIMD is missing. */
  simd: Uint8Array<ArrayBuffer> | null;
}

/** A tensor as it crosses the thread boundary. */
export interface WireTensor {
  type: Tensor.Type;
  data: Tensor.DataType;
  dims: readonly number[];
}

/** Create the session from the model bytes. Reply: `SessionInfo`. */
interface CreateRequest {
  type: "create";
  bytes: Uint8Array;
  options: InferenceSession.SessionOptions;
}

/** Run with copied feeds. Reply: the outputs, `Record<string, WireTensor>`. */
interface RunRequest {
  type: "run";
  feeds: Record<string, WireTensor>;
  fetches?: readonly string[];
}

/** Run one float32 input with lent buffers (`WorkerSession.runLending`). Reply: `LendReply`. */
export interface LendRequest {
  type: "lend";
  inputName: string;
  input: ArrayBuffer;
  inputLength: number;
  inputDims: readonly number[];
  outputName: string;
  output?: ArrayBuffer;
  outputDims?: readonly number[];
}

/** Run one float32 input of a two-class model and return labels (`WorkerSession.runLendingLabels`). Reply: `LabelsReply`. */
export interface LabelsRequest {
  type: "labels";
  inputName: string;
  input: ArrayBuffer;
  inputLength: number;
  inputDims: readonly number[];
  outputName: string;
  outputDims: readonly number[];
  labels: ArrayBuffer;
  labelType: "uint8" | "uint16";
  v0: number;
  v1: number;
}

/** Release the session. Reply: no value. */
interface ReleaseRequest {
  type: "release";
}

export type WorkerRequest = CreateRequest | RunRequest | LendRequest | LabelsRequest | ReleaseRequest;

/** A request as posted: with the id its reply carries. */
export type WorkerMessage = WorkerRequest & { id: number };

export type WorkerReply = { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: string };

/** The reply to `create`. */
export interface SessionInfo {
  inputNames: string[];
  outputNames: string[];
  inputMetadata: InferenceSession.ValueMetadata[];
  outputMetadata: InferenceSession.ValueMetadata[];
  /** The worker has the SIMD kernels, so it can compute two-class labels. */
  labels: boolean;
}

/** The reply to `labels`: both lent buffers back, `labels` filled. */
export interface LabelsReply {
  input: ArrayBuffer;
  labels: ArrayBuffer;
  type: Tensor.Type;
  dims: readonly number[];
}

/** The reply to `lend`: the lent buffers back (`output`: the model's output, written in place when it fitted, else `spare`). */
export interface LendReply {
  input: ArrayBuffer;
  output: ArrayBuffer | null;
  spare?: ArrayBuffer;
  type: Tensor.Type;
  dims: readonly number[];
}
