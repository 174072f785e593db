/**
 * The Node worker-thread session: same results as running onnxruntime-node in the main
 * thread, and the JS thread keeps running while a batch runs (which is what lets the engine
 * read and convert the next tiles during the run; onnxruntime-node's own `run` blocks it).
 */
import { describe, expect, it } from "vitest";
import { nodeRuntime, predictNode, WorkerSession } from "../../src/engine/node/index.js";
import type { EngineModel } from "../../src/engine/types.js";
import { MemoryImageSink, MemoryImageSource } from "../../src/io/memory/index.js";
import { testdata } from "../helpers/paths.js";
import { fixtureBytes, pngSource, pytorchNucleiEngineModel, rawFixture } from "./helpers.js";

describe("WorkerSession", () => {
  it("predicts the same output as the main-thread session", async () => {
    const model: EngineModel = {
      name: "fcn3",
      kind: "regression",
      onnx: await fixtureBytes("fcn3.onnx"),
      tile: null,
      border: [4, 4],
      inputChannels: 1,
      scaleInputs: true,
      tileMultiple: 1,
    };
    const pixels = await rawFixture("fcn3_input.u16", (b) => new Uint16Array(b));
    const source = new MemoryImageSource({ width: 184, height: 100, planes: [pixels] });
    const direct = new MemoryImageSink();
    const viaWorker = new MemoryImageSink();
    await predictNode(model, source, direct, { worker: false, tile: [64, 64], batch: 3 });
    const r = await predictNode(model, source, viaWorker, { worker: true, tile: [64, 64], batch: 3 });
    expect(r.tiles).toBe(8);
    expect(viaWorker.plane()).toEqual(direct.plane());
  });

  it("leaves the event loop running while a batch runs", async () => {
    const bytes = (await pytorchNucleiEngineModel()).onnx as Uint8Array;
    const session = await WorkerSession.create(bytes, {}, nodeRuntime);
    try {
      const input = new nodeRuntime.Tensor("float32", new Float32Array(4 * 512 * 512).fill(0.1), [4, 512, 512, 1]);
      let settled = false;
      const run = session.run({ [session.inputNames[0]!]: input }).then((out) => {
        settled = true;
        return out;
      });
      let ticks = 0;
      while (!settled && ticks < 1000) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (!settled) ticks++;
      }
      const out = await run;
      expect(out[session.outputNames[0]!]!.dims).toEqual([4, 512, 512, 2]);
      // The main thread ran timers while the worker computed 4 × 512² tiles.
      expect(ticks).toBeGreaterThanOrEqual(3);
    } finally {
      await session.release();
    }
  });

  it("reports a model the worker cannot load as a one-line INVALID_MODEL error", async () => {
    const model: EngineModel = {
      name: "broken",
      kind: "regression",
      onnx: new Uint8Array([9, 9, 9]),
      tile: [8, 8],
      border: [0, 0],
      inputChannels: 1,
      scaleInputs: true,
    };
    const source = await pngSource(testdata("images", "kidney_dapi_lowsnr.png"));
    await expect(predictNode(model, source, new MemoryImageSink(), { worker: true })).rejects.toMatchObject({
      code: "INVALID_MODEL",
      message: expect.stringMatching(/^broken: onnxruntime cannot load the model: /),
    });
  });
});
