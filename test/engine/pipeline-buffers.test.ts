/**
 * The memory-lean pipeline: buffers moved (not copied) to the worker and back and reused batch
 * after batch, labels computed in the worker for a two-class model, and the result the same,
 * pixel for pixel, as running onnxruntime on the main thread — with the real nuclei model on
 * the real nuclei image (4 tiles of 1024², so the later batches take the labels path), also
 * for outputs that must not take it (probabilities, a confidence threshold).
 */
import { describe, expect, it } from "vitest";
import type { InferenceSession } from "onnxruntime-common";
import { nodeRuntime, predictNode, WorkerSession } from "../../src/engine/node/index.js";
import {
  BatchRunner,
  type BufferLendingSession,
  type LendingRequest,
  type LendingResult,
  type SessionLayout,
} from "../../src/engine/session.js";
import { MemoryImageSink } from "../../src/io/memory/index.js";
import { testdata } from "../helpers/paths.js";
import { nucleiEngineModel, pngSource } from "./helpers.js";

describe("worker pipeline", () => {
  it("labels from the worker equal labels from the main thread (real model, real image)", async () => {
    const model = await nucleiEngineModel();
    const source = await pngSource(testdata("images", "nuclei_0000.png"));
    const direct = new MemoryImageSink();
    const viaWorker = new MemoryImageSink();
    await predictNode(model, source, direct, { worker: false });
    const r = await predictNode(model, source, viaWorker, { worker: true });
    expect(r.tiles).toBe(4);
    const a = direct.plane() as Uint8Array;
    const b = viaWorker.plane() as Uint8Array;
    expect(a.length).toBe(1960 * 1416);
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
    expect(new Set(a)).toEqual(new Set([1, 2]));
  });

  it("probabilities and a confidence threshold through the worker equal the main thread", async () => {
    const model = await nucleiEngineModel();
    const source = await pngSource(testdata("images", "nuclei_0000.png"));
    for (const options of [{ output: "probabilities" as const }, { minConfidence: 0.9 }]) {
      const direct = new MemoryImageSink();
      const viaWorker = new MemoryImageSink();
      await predictNode(model, source, direct, { worker: false, ...options });
      await predictNode(model, source, viaWorker, { worker: true, ...options });
      const a = direct.plane();
      const b = viaWorker.plane();
      expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(Buffer.from(a.buffer, a.byteOffset, a.byteLength))).toBe(true);
    }
  });

  it("moves the input and output buffers to the worker and back instead of copying them", async () => {
    const session = await WorkerSession.create((await nucleiEngineModel()).onnx as Uint8Array, {}, nodeRuntime);
    try {
      const input = new Float32Array(1024 * 1024).fill(0.2);
      const output = new Float32Array(1024 * 1024 * 2);
      const request = {
        inputName: session.inputNames[0]!,
        input,
        inputLength: input.length,
        inputDims: [1, 1024, 1024, 1],
        outputName: session.outputNames[0]!,
      };
      const first = await session.runLending(request);
      expect(input.byteLength).toBe(0); // moved away
      expect(first.input.length).toBe(1024 * 1024);
      expect(first.input[5]).toBeCloseTo(0.2);
      const second = await session.runLending({ ...request, input: first.input, output, outputDims: [1, 1024, 1024, 2] });
      expect(output.byteLength).toBe(0);
      expect(second.output!.length).toBe(1024 * 1024 * 2);
      expect(Array.from(second.output!.subarray(0, 64))).toEqual(Array.from(first.output!.subarray(0, 64)));
      expect(session.canComputeLabels).toBe(true);
      const labels = await session.runLendingLabels({
        ...request,
        input: second.input,
        outputDims: [1, 1024, 1024, 2],
        labels: new Uint8Array(1024 * 1024),
        values: [1, 2],
      });
      const p = second.output!;
      for (let i = 0; i < 1024 * 1024; i += 997) expect(labels.labels[i]).toBe(p[2 * i + 1]! > p[2 * i]! ? 2 : 1);
    } finally {
      await session.release();
    }
  });

  it("reuses its buffers batch after batch with a lending session", async () => {
    const seen = new Set<ArrayBufferLike>();
    const fake: BufferLendingSession = {
      async runLending(r: LendingRequest): Promise<LendingResult> {
        seen.add(r.input.buffer);
        if (r.output) seen.add(r.output.buffer);
        const output = r.output ?? new Float32Array(r.inputLength * 2);
        for (let i = 0; i < r.inputLength; i++) output[2 * i + 1] = r.input[i]!;
        return { input: r.input, output, type: "float32", dims: [r.inputDims[0]!, 8, 8, 2] };
      },
    };
    const layout: SessionLayout = {
      inputName: "x",
      outputName: "y",
      rank: 4,
      fixedBatch: null,
      batchDynamic: true,
      spatialIn: [null, null],
      outputChannels: 2,
    };
    const runner = new BatchRunner(fake as unknown as InferenceSession, nodeRuntime, layout, [8, 8], 1, 2, "fake");
    for (let b = 0; b < 10; b++) {
      const buffer = runner.nextBuffer();
      buffer.fill(b);
      const out = await runner.run(buffer, 2);
      expect(out.data.length).toBe(2 * 64 * 2);
      expect(out.data[1]).toBe(b);
      runner.recycle(out);
    }
    // Two input buffers, one output buffer from the first run and one pooled output buffer at most.
    expect(seen.size).toBeLessThanOrEqual(4);
  });
});
