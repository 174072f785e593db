/**
 * The onnxruntime-node session options the engine uses, in one place, so that `predictNode`
 * (main thread or worker) and the runtime-only benchmark (`bench/predict-one.ts`) create
 * their sessions the same way. They pin onnxruntime's own defaults, which measured best for
 * the tile models here (nuclei model, 1024² tiles, 2 cores): graph optimisation `all` (as fast
 * as `basic`), the CPU memory arena (without it a batch takes 2.4 times as long), memory
 * patterns, sequential execution (a chain of layers has nothing to run in parallel), and
 * spinning intra-op threads (turning spinning off made both the runtime alone and the whole
 * prediction ~15 % slower). Threads default to onnxruntime's choice (one per physical core).
 * Node-only.
 */
import type { InferenceSession } from "onnxruntime-common";

const NODE_SESSION_OPTIONS: Readonly<InferenceSession.SessionOptions> = Object.freeze({
  graphOptimizationLevel: "all",
  enableCpuMemArena: true,
  enableMemPattern: true,
  executionMode: "sequential",
});

/** `NODE_SESSION_OPTIONS` with `intraOpNumThreads` when given, under the caller's own options. */
export function nodeSessionOptions(threads?: number, extra?: InferenceSession.SessionOptions): InferenceSession.SessionOptions {
  return { ...NODE_SESSION_OPTIONS, ...extra, ...(threads !== undefined ? { intraOpNumThreads: threads } : {}) };
}
