/**
 * Out-of-memory retries (`halving.ts`): onnxruntime's allocation-failure texts are recognised,
 * and a batch whose run fails for lack of memory is run in halves — with an injected run that
 * fails above a given part size — while any other failure is thrown at once.
 */
import { describe, expect, it } from "vitest";
import { isOutOfMemory, runHalving } from "../../src/engine/halving.js";

/** A run that fails like onnxruntime's memory arena for parts above `limit` tiles, recording each call. */
function limitedRun(limit: number, message = "Failed to allocate memory for requested buffer of size 268435456") {
  const calls: [number, number][] = [];
  const done: number[] = [];
  const run = async (start: number, count: number) => {
    calls.push([start, count]);
    if (count > limit) throw new Error(message);
    for (let i = start; i < start + count; i++) done.push(i);
  };
  return { run, calls, done };
}

describe("isOutOfMemory", () => {
  it("recognises onnxruntime's arena, CUDA, cuBLAS and cuDNN allocation failures", () => {
    for (const text of [
      "/onnxruntime_src/onnxruntime/core/framework/bfc_arena.cc:359 void* onnxruntime::BFCArena::AllocateRawInternal(size_t, bool, onnxruntime::Stream*, bool, onnxruntime::WaitNotificationFn) Failed to allocate memory for requested buffer of size 4294967296",
      "CUDA failure 2: out of memory ; GPU=0 ; hostname=gpu1 ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_allocator.cc ; line=47 ; expr=cudaMalloc((void**)&p, size);",
      "CUBLAS failure 3: CUBLAS_STATUS_ALLOC_FAILED ; GPU=0 ; hostname=gpu1 ; expr=cublasCreate(&cublas_handle_);",
      "CUDNN failure 4: CUDNN_STATUS_ALLOC_FAILED ; GPU=0 ; hostname=gpu1 ; expr=cudnnCreate(&cudnn_handle_);",
    ]) {
      expect(isOutOfMemory(new Error(text)), text).toBe(true);
    }
    expect(isOutOfMemory(new Error("OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library"))).toBe(false);
    expect(isOutOfMemory(new Error("Got invalid dimensions for input: x for the following indices"))).toBe(false);
  });
});

describe("runHalving", () => {
  it("runs the whole batch in one call when it fits", async () => {
    const { run, calls } = limitedRun(8);
    expect(await runHalving(8, Number.POSITIVE_INFINITY, run)).toBe(8);
    expect(calls).toEqual([[0, 8]]);
  });

  it("halves the part after an out-of-memory failure and keeps the smaller size for the rest", async () => {
    const { run, calls, done } = limitedRun(3);
    expect(await runHalving(8, Number.POSITIVE_INFINITY, run)).toBe(2);
    expect(calls).toEqual([
      [0, 8],
      [0, 4],
      [0, 2],
      [2, 2],
      [4, 2],
      [6, 2],
    ]);
    expect(done).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("starts the next batch at the size that worked, and halves odd parts rounding up", async () => {
    const { run, calls } = limitedRun(2, "CUDA failure 2: out of memory ; GPU=0");
    expect(await runHalving(5, 3, run)).toBe(2);
    expect(calls).toEqual([
      [0, 3],
      [0, 2],
      [2, 2],
      [4, 1],
    ]);
  });

  it("throws when a single tile does not fit, and throws other failures at once", async () => {
    const tooBig = limitedRun(0);
    await expect(runHalving(4, 4, tooBig.run)).rejects.toThrow(/Failed to allocate memory/);
    expect(tooBig.calls).toEqual([
      [0, 4],
      [0, 2],
      [0, 1],
    ]);
    const other = limitedRun(1, "Got invalid dimensions for input");
    await expect(runHalving(4, 4, other.run)).rejects.toThrow(/invalid dimensions/);
    expect(other.calls).toEqual([[0, 4]]);
  });
});
