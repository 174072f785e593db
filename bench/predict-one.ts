/**
 * One benchmark measurement in a fresh process (so its peak RSS is its own), printing JSON:
 *   e2e MODEL IMAGE OUT [THREADS]   — predictFile end to end (read, convert, run, stitch, write)
 *   runtime MODEL TILES BATCH [THREADS] — the runtime alone: TILES tiles in batches of BATCH
 *                                          from ready input tensors, no IO, no conversion
 * Used by bench/predict.ts.
 *
 * Both sides are timed the same way: from having the model bytes to having every output, so
 * the runtime-only time includes creating the session and its first (slower) runs, as the
 * end-to-end time (`predictFile`'s `elapsedMs`) does; and both create their sessions with
 * `nodeSessionOptions` (the engine's options) and the same thread count.
 */
import * as ort from "onnxruntime-node";
import { nodeSessionOptions } from "../src/engine/node/session-options.js";
import { predictFile, readModelFile, engineModelFromFile } from "../src/index.js";

const [mode, ...args] = process.argv.slice(2);
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

if (mode === "e2e") {
  const [model, image, out, threads] = args as [string, string, string, string?];
  const r = await predictFile(model, image, out, { overwrite: true, ...(threads ? { threads: Number(threads) } : {}) });
  console.log(JSON.stringify({ ms: r.elapsedMs, megapixels: r.megapixels, tiles: r.tiles, batch: r.batchSize, tile: r.tile, peakRssMb: peakRssMb() }));
} else if (mode === "runtime") {
  const [modelPath, tilesText, batchText, threads] = args as [string, string, string, string?];
  const { model } = engineModelFromFile(await readModelFile(modelPath));
  const [h, w] = model.tile as [number, number];
  const tiles = Number(tilesText);
  const batch = Number(batchText);
  const data = new Float32Array(batch * h * w * model.inputChannels);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 65536) / 65536;
  const started = performance.now();
  const session = await ort.InferenceSession.create(model.onnx as Uint8Array, nodeSessionOptions(threads ? Number(threads) : undefined));
  const inputName = session.inputNames[0]!;
  const full = new ort.Tensor("float32", data, [batch, h, w, model.inputChannels]);
  for (let done = 0; done < tiles; done += batch) {
    const n = Math.min(batch, tiles - done);
    const input = n === batch ? full : new ort.Tensor("float32", data.subarray(0, n * h * w * model.inputChannels), [n, h, w, model.inputChannels]);
    await session.run({ [inputName]: input });
  }
  console.log(JSON.stringify({ ms: performance.now() - started, tiles, peakRssMb: peakRssMb() }));
  await session.release();
} else {
  console.error("usage: predict-one.ts e2e MODEL IMAGE OUT [THREADS] | runtime MODEL TILES BATCH [THREADS]");
  process.exitCode = 2;
}
