/**
 * `predict(model, source, sink, options)`: tiled inference of a ZEN-style model over every
 * selected plane of an image, streaming bands to the sink(s). This file ties the parts
 * together; each lives in its own module:
 * 1. `plan.ts` plans channels, scaling, planes, tiles (cztile geometry,
 *    docs/inference.md#tiling-geometry), batch and notes, pure and without onnxruntime; when the
 *    tile is known without the session, the first tile is read while the session opens;
 * 2. `batch-pipeline.ts` runs the tiles in batches: batch i + 1 runs while batch i is stitched
 *    and batch i + 2 is read and converted. What overlaps depends on the runtime:
 *    onnxruntime-node runs a session synchronously on the JS thread (inside `setImmediate`), so
 *    file I/O and inflate in flight overlap the run but JS work does not — `predictNode`
 *    therefore runs large images in a worker (`WorkerSession`, buffers moved, not copied);
 *    onnxruntime-web with `env.wasm.proxy = true` runs in a worker and overlaps fully;
 * 3. each output tile is stitched (crop-and-place, or blended) and handed to the sinks by a
 *    background write queue (at most 4 writes waiting): for sinks that take rectangles
 *    (tiled OME-TIFF, OME-Zarr, memory) each tile's centre as soon as it is out of the model,
 *    so no buffer spans the image width; for band sinks (PNG) and blending, finished
 *    full-width bands in order. Output buffers are reused once written. A two-class model written only as labels gets its
 *    labels from the session when it can compute them (`WorkerSession`, from the 2nd batch);
 *    uint8/uint16 scaling and two-class labels otherwise run on WebAssembly SIMD
 *    (`simd.ts`), with the same results as the JS loops;
 * 4. the sinks are finished at the end; on any error or abort every sink is aborted (no
 *    partial output) and the error is rethrown (`CANCELLED` for an abort, checked between
 *    batches after one event-loop turn, so an abort event queued behind the run is seen);
 *    `report.ts` builds the progress events and the result.
 *
 * With `options.objects` the label sink (and probabilities sink) is wrapped by `ObjectsTee`
 * (src/objects/predict-tee.ts): objects are labelled and measured in the same pass.
 *
 * A model that computes statistics over the image (`EngineModel.imageStatistics`) gets a note
 * when the image takes more than one tile per plane: its results then depend on the tiling.
 */
import type { InferenceSession } from "onnxruntime-common";
import { cancelled, invalidArgument, isCzmodelError } from "../errors.js";
import type { ImageSink, ImageSource } from "../io/types.js";
import { ObjectsTee } from "../objects/predict-tee.js";
import { openOutputs, runBatches } from "./batch-pipeline.js";
import { planGeometry, planInput, planOutputs, planPrediction, type TileGeometry } from "./plan.js";
import { predictResult, progressEvent } from "./report.js";
import { BatchRunner, readSessionLayout, openSession } from "./session.js";
import { TileInputReader } from "./tile-input.js";
import type { EngineModel, PredictOptions, PredictResult, SinkPair } from "./types.js";

const now = (): number => performance.now();

function isSinkPair(s: ImageSink | SinkPair): s is SinkPair {
  return "labels" in s && "probabilities" in s;
}

/** The sink of each planned output, in plan order. */
function resolveSinks(model: EngineModel, options: PredictOptions, sink: ImageSink | SinkPair): ImageSink[] {
  const kinds = planOutputs(model.kind, options.output);
  const output = options.output ?? "labels";
  if (model.kind === "regression") {
    if (isSinkPair(sink)) throw invalidArgument("a regression model writes one output; pass one sink", { where: "--output" });
    return [sink];
  }
  if (kinds.length === 2) {
    if (!isSinkPair(sink)) throw invalidArgument("output 'both' needs a { labels, probabilities } sink pair", { where: "--output" });
    return [sink.labels, sink.probabilities];
  }
  if (isSinkPair(sink)) throw invalidArgument(`output '${output}' takes one sink, not a pair`, { where: "--output" });
  return [sink];
}

/** The first tile read while the session opens (see `predict`). */
interface EarlyRead {
  geometry: TileGeometry;
  reader: TileInputReader;
}

/** `make()`, or null when it throws (a speculative step; the real one reports the error). */
function speculate<T>(make: () => T | null): T | null {
  try {
    return make();
  } catch {
    return null;
  }
}

const sameNumbers = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The objects pass of a run (`options.objects`): a segmentation model over the whole image. */
function objectsTee(model: EngineModel, source: ImageSource, options: PredictOptions): ObjectsTee {
  if (model.kind !== "segmentation") throw invalidArgument(`objects need a segmentation model; this is a ${model.kind} model`);
  if (options.tiles) throw invalidArgument("objects need the whole label image, not a block of tiles");
  return new ObjectsTee(options.objects!, source);
}

/** Run `model` over `source`, writing to `sink` (or a `{labels, probabilities}` pair for output `both`). */
export async function predict(
  model: EngineModel,
  source: ImageSource,
  sink: ImageSink | SinkPair,
  options: PredictOptions,
): Promise<PredictResult> {
  const started = now();
  const sinks = resolveSinks(model, options, sink);
  let session: InferenceSession | undefined;
  let ownsSession = false;
  const signal = options.signal;
  const checkAbort = () => {
    if (signal?.aborted) throw cancelled("prediction cancelled");
  };
  try {
    checkAbort();
    const tee = options.objects ? objectsTee(model, source, options) : undefined;
    const observed = tee ? tee.wrap(sinks, planOutputs(model.kind, options.output)) : sinks;
    // the tiles are read through the objects pass, which keeps the rows for its intensity columns
    const tileSource = tee ? tee.observeInput() : source;
    const info = source.info;
    const input = planInput(model, info, options);
    const stacks = input.planes.stacks;
    // Opening the session takes a while (a worker thread ~50 ms): when the tile can be told
    // without it, read the first tile meanwhile; it is used if the session agrees on the tile.
    const early: EarlyRead | null = speculate((): EarlyRead => {
      const geometry = planGeometry(model, input, options, null);
      const reader = new TileInputReader(tileSource, geometry.grid, stacks, input.mapping, input.scaling);
      const block = options.tiles;
      reader.prefetch({ stack: block?.stack ?? 0, zi: 0, yi: block?.y[0] ?? 0, xi: block?.x[0] ?? 0 });
      return { geometry, reader };
    });

    ({ session, owned: ownsSession } = await openSession(
      model,
      options.runtime,
      options.threads,
      options.sessionOptions,
      options.createSession,
    ));
    checkAbort();
    const layout = readSessionLayout(session, model, input.dims);
    let geometry = planGeometry(model, input, options, layout);
    const reuse = early !== null && sameNumbers(early.geometry.tile, geometry.tile) && sameNumbers(early.geometry.border, geometry.border);
    if (reuse) geometry = { ...geometry, grid: early.geometry.grid };
    const plan = planPrediction({ model, image: info, session: layout, options, input, geometry });
    const runner = new BatchRunner(session, options.runtime, layout, plan.tile, model.inputChannels, plan.batch.run, model.name);
    const reader = reuse && early ? early.reader : new TileInputReader(tileSource, plan.grid, stacks, input.mapping, input.scaling);
    const onProgress = options.onProgress;
    const { targets, batches } = await runBatches({
      plan,
      runner,
      reader,
      begin: (channels) => openOutputs(model, plan, observed, channels),
      ...(signal ? { signal } : {}),
      checkAbort,
      ...(onProgress
        ? { onBatch: (tiles: number, pixels: number) => onProgress(progressEvent(plan, tiles, pixels, now() - started)) }
        : {}),
    });
    for (const t of targets) await t.sink.finish();
    if (ownsSession) await session.release();
    const result = predictResult(
      plan,
      targets.map((t) => t.info),
      batches,
      now() - started,
    );
    return tee?.summary ? { ...result, objects: tee.summary } : result;
  } catch (e) {
    await Promise.allSettled(sinks.map((s) => s.abort()));
    if (ownsSession && session) await session.release().catch(() => undefined);
    if (signal?.aborted && !isCzmodelError(e)) throw cancelled("prediction cancelled", { cause: e });
    throw e;
  }
}
