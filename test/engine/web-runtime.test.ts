/**
 * The engine is runtime-agnostic: the same `predict` runs on onnxruntime-web (wasm, here in
 * Node) and gives the onnxruntime-node result (to float tolerance), tiled.
 */
import * as ortWeb from "onnxruntime-web";
import { describe, expect, it } from "vitest";
import { predict } from "../../src/engine/predict.js";
import { nodeRuntime } from "../../src/engine/node/index.js";
import type { EngineModel } from "../../src/engine/types.js";
import { MemoryImageSink, MemoryImageSource } from "../../src/io/memory/index.js";
import { fixtureBytes, rawFixture } from "./helpers.js";

describe("onnxruntime-web as the runtime", () => {
  it("tiled fcn3 on wasm equals onnxruntime-node within 1e-6", async () => {
    ortWeb.env.wasm.numThreads = 1;
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
    const image = new MemoryImageSource({ width: 184, height: 100, planes: [pixels] });
    const web = new MemoryImageSink();
    const node = new MemoryImageSink();
    const r = await predict(model, image, web, { runtime: ortWeb, tile: [64, 64], batch: 2 });
    await predict(model, image, node, { runtime: nodeRuntime, tile: [64, 64], batch: 2 });
    expect(r.tiles).toBe(8);
    const a = web.plane() as Float32Array;
    const b = node.plane() as Float32Array;
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
    expect(max).toBeLessThan(1e-6);
  });

  it("sees an abort queued as an event while batches resolve as microtasks only (browser worker Cancel)", async () => {
    ortWeb.env.wasm.numThreads = 1;
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
    const image = new MemoryImageSource({ width: 184, height: 100, planes: [pixels] });
    const controller = new AbortController();
    const sink = new MemoryImageSink();
    const done: number[] = [];
    // The Cancel arrives as a macrotask after the first batch, as a worker message would.
    const run = predict(model, image, sink, {
      runtime: ortWeb,
      tile: [64, 64],
      batch: 1,
      signal: controller.signal,
      onProgress: (p) => {
        done.push(p.tilesDone);
        if (p.tilesDone === 1) setTimeout(() => controller.abort(), 0);
      },
    });
    await expect(run).rejects.toMatchObject({ code: "CANCELLED" });
    expect(done.length).toBeLessThan(8);
    expect(sink.aborted).toBe(true);
  });
});
