/**
 * `predict(model, source, sink, options)`: tiled inference of a ZEN-style model over every
 * selected plane of an image, streaming bands to the sink(s).
 *
 * Pipeline (memory bounded by tiles in flight, independent of image size):
 * 1. plan channels, scaling, planes and tiles (cztile geometry, docs/inference.md#tiling-geometry); when the
 *    tile is known without the session, the first tile is read while the session opens;
 * 2. tiles are taken in batches; batch i + 1 is started as soon as batch i is done and
 *    i + 1 is read, so the session runs while batch i is stitched and batch i + 2 is read and
 *    converted into a free input buffer (`BatchRunner` keeps a small pool; nothing is
 *    allocated per batch). What overlaps depends on the runtime: onnxruntime-node runs a
 *    session synchronously on the JS thread (inside `setImmediate`), so file I/O and inflate
 *    in flight overlap the run but JS work does not — `predictNode` therefore runs large
 *    images in a worker (`WorkerSession`, buffers moved, not copied); onnxruntime-web with
 *    `env.wasm.proxy = true` runs in a worker and overlaps fully;
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
 *    batches after one event-loop turn, so an abort event queued behind the run is seen).
 *
 * A model that computes statistics over the image (`EngineModel.imageStatistics`) gets a note
 * when the image takes more than one tile per plane: its results then depend on the tiling.
 *
 * Defaults: batch 4 tiles when the model's batch dim is dynamic (a fixed batch dim is always
 * used as is); tile for dynamic models = the model's metadata tile, else the image extent
 * rounded up to `tileMultiple` (16) and capped at 1024 per axis.
 */
import type { InferenceSession } from "onnxruntime-common";
import { cancelled, internalError, invalidArgument, invalidModel, isCzmodelError, unsupported } from "../errors.js";
import type { ImageSink, ImageSource } from "../io/types.js";
import { imageStatisticsProblem, logitAdvice } from "../validate/zen-rules.js";
import { BlendAssembler, CropAssembler, writeOutput, type Assembler, type TileJob } from "./assembler.js";
import { checkMinConfidence, outputInfo, type ConvertSpec, type OutputKind, type OutputTarget } from "./outputs.js";
import { planModelInput } from "./pixels.js";
import { planStacks } from "./planes.js";
import { BatchRunner, inspectSession, openSession, type LabelSpec, type SessionLayout } from "./session.js";
import { TileInputReader } from "./tile-input.js";
import { defaultDynamicTile, planTiles2D, planTiles3D, snapTileSize, tileCount, type BlendMode, type TilePlan2D, type TilePlan3D } from "./tiling.js";
import type { EngineModel, PredictOptions, PredictProgress, PredictResult, SinkPair } from "./types.js";
import { WriteQueue } from "./write-queue.js";
import { yieldToEventLoop } from "./yield.js";

/**
 * Default batch for a dynamic batch dim: as many tiles as fit in `DEFAULT_BATCH_PIXELS` input
 * pixels, between 1 and `DEFAULT_BATCH`. The runtime's working memory grows with batch × tile
 * (activations of every layer): four 1024² tiles of the real nuclei model took the process
 * past 1.4 GB, one tile stays near 0.55 GB, and on a CPU batching adds little speed.
 */
export const DEFAULT_BATCH = 4;
export const DEFAULT_BATCH_PIXELS = 1 << 20;

export function defaultBatchFor(tile: readonly number[]): number {
  const pixels = tile.reduce((a, b) => a * b, 1);
  return Math.max(1, Math.min(DEFAULT_BATCH, Math.floor(DEFAULT_BATCH_PIXELS / pixels)));
}
export const DEFAULT_TILE_MULTIPLE = 16;

const now = (): number => performance.now();

function isSinkPair(s: ImageSink | SinkPair): s is SinkPair {
  return "labels" in s && "probabilities" in s;
}

/** Which outputs to write, each with its sink. */
function resolveSinks(model: EngineModel, options: PredictOptions, sink: ImageSink | SinkPair): { kind: OutputKind; sink: ImageSink }[] {
  const output = options.output ?? "labels";
  if (!["labels", "probabilities", "both"].includes(output)) {
    throw invalidArgument(`output '${output}' is not known`, { where: "--output", allowed: "labels, probabilities, both" });
  }
  if (model.kind === "regression") {
    if (isSinkPair(sink)) throw invalidArgument("a regression model writes one output; pass one sink", { where: "--output" });
    return [{ kind: "regression", sink }];
  }
  if (output === "both") {
    if (!isSinkPair(sink)) throw invalidArgument("output 'both' needs a { labels, probabilities } sink pair", { where: "--output" });
    return [
      { kind: "labels", sink: sink.labels },
      { kind: "probabilities", sink: sink.probabilities },
    ];
  }
  if (isSinkPair(sink)) throw invalidArgument(`output '${output}' takes one sink, not a pair`, { where: "--output" });
  return [{ kind: output, sink }];
}

function checkInts(values: readonly number[], min: number, what: string, where: string): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v < min) throw invalidArgument(`${what} ${v} is not an integer >= ${min}`, { where });
  }
}

/** The tile in tensor order; fixed by the session, else option / metadata / default. */
function resolveTile(
  model: EngineModel,
  layout: SessionLayout,
  options: PredictOptions,
  extent: number[],
  dims: number,
): { tile: number[]; notes: string[] } {
  const notes: string[] = [];
  const requested = options.tile;
  if (requested) {
    if (requested.length !== dims) {
      throw invalidArgument(`tile ${requested.join(",")} has ${requested.length} values; the model has ${dims} spatial dims`, {
        where: "--tile",
      });
    }
    checkInts(requested, 1, "tile size", "--tile");
  }
  if (model.tile && model.tile.length !== dims) {
    throw invalidModel(`metadata tile [${model.tile.join(", ")}] does not have ${dims} spatial dims`, { where: model.name });
  }
  const multiple = model.tileMultiple ?? DEFAULT_TILE_MULTIPLE;
  const tile = extent.map((len, i) => {
    const fixed = layout.spatialIn[i] ?? null;
    if (fixed !== null) {
      if (requested && requested[i] !== fixed) {
        throw invalidArgument(`the model has a fixed input of ${layout.spatialIn.join("x")}; a different tile is not possible`, {
          where: "--tile",
          allowed: layout.spatialIn.join(","),
        });
      }
      return fixed;
    }
    if (requested) {
      const snapped = snapTileSize(requested[i]!, multiple);
      if (snapped !== requested[i]) notes.push(`tile size ${requested[i]} snapped to ${snapped} (a multiple of ${multiple})`);
      return snapped;
    }
    if (model.tile) return model.tile[i]!;
    return defaultDynamicTile(len, multiple);
  });
  return { tile, notes };
}

function resolveBorder(model: EngineModel, options: PredictOptions, dims: number): number[] {
  const o = options.border;
  if (o !== undefined) {
    const values = typeof o === "number" ? Array.from({ length: dims }, () => o) : o;
    if (values.length !== dims) {
      throw invalidArgument(`border has ${values.length} values; the model has ${dims} spatial dims`, { where: "--border" });
    }
    checkInts(values, 0, "border", "--border");
    return [...values];
  }
  const b = model.border;
  checkInts(b, 0, "border", `${model.name}: border`);
  if (b.length === dims) return [...b];
  if (dims === 3 && b.length === 2) return [0, ...b];
  throw invalidModel(`border [${b.join(", ")}] does not have ${dims} values`, { where: model.name });
}

function checkBorderFits(tile: number[], border: number[], fromOption: boolean): void {
  tile.forEach((t, i) => {
    if (2 * border[i]! >= t) {
      throw invalidArgument(`border ${border[i]} per side is too large for a tile of ${t}`, {
        where: fromOption ? "--border" : "model border",
        allowed: `less than half the tile (< ${t / 2})`,
      });
    }
  });
}

/**
 * Pick the batch size: > 1 only for a dynamic batch dim. `max` tiles are taken per batch;
 * `run` is the batch the buffers hold (a fixed batch dim is always filled up to it).
 */
function resolveBatch(layout: SessionLayout, requested: number | undefined, tiles: number, tile: readonly number[], notes: string[]): { max: number; run: number } {
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1)) {
    throw invalidArgument(`batch size ${requested} is not a positive integer`, { where: "--batch" });
  }
  if (!layout.batchDynamic) {
    const fixed = layout.fixedBatch ?? 1;
    if (requested !== undefined && requested !== fixed) notes.push(`the model's batch size is fixed to ${fixed}; --batch ${requested} ignored`);
    return { max: fixed, run: fixed };
  }
  const max = Math.max(1, Math.min(requested ?? defaultBatchFor(tile), tiles));
  return { max, run: max };
}

function* tileJobs(stacks: number, plan: TilePlan2D | TilePlan3D): Generator<TileJob> {
  const nz = "zs" in plan ? plan.zs.length : 1;
  for (let stack = 0; stack < stacks; stack++)
    for (let zi = 0; zi < nz; zi++)
      for (let yi = 0; yi < plan.ys.length; yi++) for (let xi = 0; xi < plan.xs.length; xi++) yield { stack, zi, yi, xi };
}

function centrePixels(plan: TilePlan2D | TilePlan3D, job: TileJob): number {
  const y = plan.ys[job.yi]!;
  const x = plan.xs[job.xi]!;
  const z = "zs" in plan ? plan.zs[job.zi]! : { start: 0, end: 1 };
  return (z.end - z.start) * (y.end - y.start) * (x.end - x.start);
}

/** The first tile read while the session opens (see `predict`). */
interface EarlyRead {
  tile: number[];
  border: number[];
  plan: TilePlan2D | TilePlan3D;
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

/** The tile `resolveTile` will pick unless the session fixes another one, or null when unsure. */
function earlyTile(model: EngineModel, options: PredictOptions, extent: number[], dims: number): number[] | null {
  const multiple = model.tileMultiple ?? DEFAULT_TILE_MULTIPLE;
  const requested = options.tile;
  if (requested) {
    if (requested.length !== dims || !requested.every((t) => Number.isInteger(t) && t >= 1)) return null;
    return requested.map((t) => snapTileSize(t, multiple));
  }
  if (model.tile) return model.tile.length === dims ? [...model.tile] : null;
  return extent.map((len) => defaultDynamicTile(len, multiple));
}

/** Labels the session may compute itself: one crop-and-place label target of a two-class model, no confidence threshold. */
function readyLabels(
  runner: BatchRunner,
  blend: BlendMode,
  targets: OutputTarget[] | null,
  minConfidence: number,
  channels: number,
): LabelSpec | undefined {
  const target = targets?.[0];
  if (!runner.canComputeLabels || blend !== "none" || !target || targets.length !== 1 || target.kind !== "labels") return undefined;
  if (channels !== 2 || minConfidence !== -Infinity) return undefined;
  const values = (target.info.classes ?? []).map((c) => c.value);
  const type = target.info.sampleType;
  if (values.length !== 2 || (type !== "uint8" && type !== "uint16")) return undefined;
  return { values: [values[0]!, values[1]!], type };
}

/** Run `model` over `source`, writing to `sink` (or a `{labels, probabilities}` pair for output `both`). */
export async function predict(
  model: EngineModel,
  source: ImageSource,
  sink: ImageSink | SinkPair,
  options: PredictOptions,
): Promise<PredictResult> {
  const started = now();
  const outputs = resolveSinks(model, options, sink);
  let session: InferenceSession | undefined;
  let ownsSession = false;
  const signal = options.signal;
  const checkAbort = () => {
    if (signal?.aborted) throw cancelled("prediction cancelled");
  };
  try {
    checkAbort();
    const dims = model.spatialDims ?? (model.tile?.length === 3 ? 3 : 2);
    const blend: BlendMode = options.blend ?? "none";
    if (!["none", "linear", "gaussian"].includes(blend)) {
      throw invalidArgument(`blend mode '${blend}' is not known`, { where: "--blend", allowed: "none, linear, gaussian" });
    }
    if (blend !== "none" && dims === 3) throw unsupported("blending is only available for 2-D models", { where: "--blend" });
    const minConfidence = checkMinConfidence(options.minConfidence);
    const info = source.info;
    const { mapping, scaling } = planModelInput(model, info, options);
    const stackPlan = planStacks(info, options.planes, mapping.planesPerInput, dims);
    const { width, height } = stackPlan;
    const extent = dims === 3 ? [info.sizes.z, height, width] : [height, width];

    const makePlan = (tile: number[], border: number[]): TilePlan2D | TilePlan3D =>
      dims === 3
        ? planTiles3D(extent[0]!, height, width, tile as [number, number, number], border as [number, number, number])
        : planTiles2D(height, width, tile as [number, number], border as [number, number]);
    // Opening the session takes a while (a worker thread ~50 ms): when the tile can be told
    // without it, read the first tile meanwhile; it is used if the session agrees on the tile.
    const early: EarlyRead | null = speculate((): EarlyRead | null => {
      const earlyTiles = earlyTile(model, options, extent, dims);
      if (!earlyTiles) return null;
      const earlyBorder = resolveBorder(model, options, dims);
      checkBorderFits(earlyTiles, earlyBorder, options.border !== undefined);
      const earlyPlan = makePlan(earlyTiles, earlyBorder);
      const earlyReader = new TileInputReader(source, earlyPlan, stackPlan.stacks, mapping, scaling);
      earlyReader.prefetch({ stack: 0, zi: 0, yi: 0, xi: 0 });
      return { tile: earlyTiles, border: earlyBorder, plan: earlyPlan, reader: earlyReader };
    });

    ({ session, owned: ownsSession } = await openSession(model, options.runtime, options.threads, options.sessionOptions, options.createSession));
    checkAbort();
    const layout = inspectSession(session, model, dims);
    const { tile, notes: tileNotes } = resolveTile(model, layout, options, extent, dims);
    const border = resolveBorder(model, options, dims);
    checkBorderFits(tile, border, options.border !== undefined);
    const reuse: boolean = early !== null && sameNumbers(early.tile, tile) && sameNumbers(early.border, border);
    const plan: TilePlan2D | TilePlan3D = reuse && early ? early.plan : makePlan(tile, border);
    const tilesPerPlane = tileCount(plan);
    const totalTiles = tilesPerPlane * stackPlan.stacks.length;
    const notes = [...mapping.notes, ...tileNotes];
    if (plan.padded) notes.push("the image is smaller than the tile on some axis: padded by reflection (numpy 'reflect')");
    if (tilesPerPlane > 1 && model.imageStatistics?.length) {
      notes.push(`${imageStatisticsProblem(model.imageStatistics, tile)}: this image takes ${tilesPerPlane} tiles per plane`);
    }
    const batch = resolveBatch(layout, options.batch, totalTiles, tile, notes);
    const runner = new BatchRunner(session, options.runtime, layout, tile, model.inputChannels, batch.run, model.name);
    const reader: TileInputReader = reuse && early ? early.reader : new TileInputReader(source, plan, stackPlan.stacks, mapping, scaling);
    const writes = new WriteQueue();

    const outPlanes = stackPlan.outSizes.scene * stackPlan.outSizes.t * stackPlan.outSizes.c * stackPlan.outSizes.z;
    const megapixelsTotal = (width * height * outPlanes) / 1e6;
    let tilesDone = 0;
    let pixelsDone = 0;
    let batches = 0;
    let targets: OutputTarget[] | null = null;
    let assembler: Assembler | null = null;
    const description = {
      model: model.name,
      ...(model.id ? { modelId: model.id } : {}),
      modelKind: model.kind,
      tile,
      border,
      blend,
      channelMapping: mapping.description,
      inputScaling: scaling.description,
    };

    const begin = async (channels: number) => {
      if (model.kind === "segmentation" && channels < 2) {
        throw invalidModel(`a segmentation model must output one channel per class (>= 2); this one outputs ${channels}: ${logitAdvice(channels)}`, {
          where: model.name,
        });
      }
      if (model.kind === "regression" && model.outputChannels !== undefined && model.outputChannels !== channels) {
        throw invalidModel(`the model outputs ${channels} channel(s) but its metadata says ${model.outputChannels}`, { where: model.name });
      }
      const ctx = {
        model,
        width,
        height,
        sizes: stackPlan.outSizes,
        ...(info.physicalSize ? { physicalSize: info.physicalSize } : {}),
        ...(stackPlan.outChannelNames ? { planeNames: stackPlan.outChannelNames } : {}),
        channels,
        description,
      };
      const made = outputs.map((o) => ({ kind: o.kind, sink: o.sink, info: outputInfo(o.kind, ctx) }));
      const specs: ConvertSpec[] = made.map((t) => ({
        kind: t.kind,
        channels,
        labelValues: t.kind === "labels" ? (t.info.classes ?? []).map((c) => c.value) : [],
        minConfidence,
      }));
      for (const t of made) await t.sink.begin(t.info);
      targets = made;
      assembler =
        blend === "none"
          ? new CropAssembler(made, specs, plan, stackPlan.stacks)
          : new BlendAssembler(made, specs, plan as TilePlan2D, stackPlan.stacks, channels, blend);
    };

    const jobs = tileJobs(stackPlan.stacks.length, plan);
    const takeBatch = (): TileJob[] => {
      const list: TileJob[] = [];
      while (list.length < batch.max) {
        const next = jobs.next();
        if (next.done) break;
        list.push(next.value);
      }
      return list;
    };
    const prepare = async (list: TileJob[]) => {
      if (list.length === 0) return null;
      const buffer = runner.nextBuffer();
      await Promise.all(list.map((job, i) => reader.readInto(job, buffer, i * runner.tileValues)));
      return { list, buffer };
    };
    // Once the first batch shows a two-class model written only as labels, a session that can
    // (a worker with the SIMD kernels) returns labels instead of probabilities.
    let labels: LabelSpec | undefined;
    const start = (p: { list: TileJob[]; buffer: Float32Array }) => {
      const running = runner.run(p.buffer, layout.batchDynamic ? p.list.length : batch.run, labels);
      // Keep a failed run from being reported as unhandled before it is awaited.
      running.catch(() => undefined);
      return running;
    };

    // Batch i + 1 runs while batch i is stitched and batch i + 2 is read and converted.
    let prepared = await prepare(takeBatch());
    let running = prepared ? start(prepared) : null;
    while (prepared && running) {
      const nextPrep = prepare(takeBatch());
      // Keep a rejected prefetch from being reported as unhandled while the run is awaited.
      nextPrep.catch(() => undefined);
      const result = await running;
      const next = await nextPrep;
      // With a signal, let a pending abort (e.g. a Cancel message in a browser worker) arrive.
      if (signal) await yieldToEventLoop();
      checkAbort();
      writes.check();
      if (!assembler) {
        await begin(result.channels);
        labels = readyLabels(runner, blend, targets, minConfidence, result.channels);
      }
      const nextRunning = next ? start(next) : null;
      const asm = assembler as Assembler | null;
      if (!asm) throw internalError("no assembler after the first batch");
      for (let i = 0; i < prepared.list.length; i++) {
        const job = prepared.list[i]!;
        for (const w of asm.place(job, result.data, i, result.labels)) {
          await writes.push(() => writeOutput(w));
        }
        pixelsDone += centrePixels(plan, job);
      }
      runner.recycle(result);
      tilesDone += prepared.list.length;
      batches++;
      if (options.onProgress) {
        const elapsedMs = now() - started;
        const event: PredictProgress = {
          tilesDone,
          tilesTotal: totalTiles,
          megapixelsDone: pixelsDone / 1e6,
          megapixelsTotal,
          elapsedMs,
          megapixelsPerSecond: elapsedMs > 0 ? pixelsDone / 1e3 / elapsedMs : 0,
          etaMs: (elapsedMs / tilesDone) * (totalTiles - tilesDone),
        };
        options.onProgress(event);
      }
      prepared = next;
      running = nextRunning;
    }
    await writes.drain();
    checkAbort();
    const done = targets as OutputTarget[] | null;
    if (!done) throw internalError("nothing was predicted");
    for (const t of done) await t.sink.finish();
    if (ownsSession) await session.release();
    const elapsedMs = now() - started;
    return {
      model: { name: model.name, ...(model.id ? { id: model.id } : {}), kind: model.kind },
      tile,
      border,
      blend,
      batchSize: batch.max,
      tilesPerPlane,
      tiles: totalTiles,
      batches,
      outputs: done.map((t) => t.info),
      channelMapping: mapping.description,
      inputScaling: scaling.description,
      notes,
      elapsedMs,
      megapixels: megapixelsTotal,
      megapixelsPerSecond: elapsedMs > 0 ? (megapixelsTotal * 1000) / elapsedMs : 0,
    };
  } catch (e) {
    await Promise.allSettled(outputs.map((o) => o.sink.abort()));
    if (ownsSession && session) await session.release().catch(() => undefined);
    if (signal?.aborted && !isCzmodelError(e)) throw cancelled("prediction cancelled", { cause: e });
    throw e;
  }
}
