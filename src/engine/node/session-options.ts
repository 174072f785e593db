/**
 * The onnxruntime-node session options the engine uses, in one place, so that `predictNode`
 * (main thread or worker) and the runtime-only benchmark (`bench/predict-one.ts`) create
 * their sessions the same way. They pin onnxruntime's own defaults, which measured best for
 * the tile models here (nuclei model, 1024² tiles, 2 cores): graph optimisation `all` (as fast
 * as `basic`), the CPU memory arena (without it a batch takes 2.4 times as long), memory
 * patterns, sequential execution (a chain of layers has nothing to run in parallel), and
 * spinning intra-op threads (turning spinning off made both the runtime alone and the whole
 * prediction ~15 % slower). Threads default to every core the process may use
 * (`os.availableParallelism()`): onnxruntime's own default counts physical cores, which on
 * a 2-vCPU VM is one thread, and `--threads 2` took 0.84 of its time there.
 * Node-only.
 */
import { availableParallelism } from "node:os";
import type { InferenceSession } from "onnxruntime-common";

const NODE_SESSION_OPTIONS: Readonly<InferenceSession.SessionOptions> = Object.freeze({
  graphOptimizationLevel: "all",
  enableCpuMemArena: true,
  enableMemPattern: true,
  executionMode: "sequential",
});

/** The intra-op thread count when none is asked for: every core this process may use. */
export const defaultThreads = (): number => availableParallelism();

/** `NODE_SESSION_OPTIONS` under the caller's own options, with `threads` intra-op threads (default: every core). */
export function nodeSessionOptions(threads?: number, extra?: InferenceSession.SessionOptions): InferenceSession.SessionOptions {
  return {
    ...NODE_SESSION_OPTIONS,
    intraOpNumThreads: defaultThreads(),
    ...extra,
    ...(threads !== undefined ? { intraOpNumThreads: threads } : {}),
  };
}
