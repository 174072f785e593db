/**
 * The batch pipeline of `predict`: takes the plan's tiles in batches, reads and converts them
 * into the runner's input buffers, runs them through the session and hands each output tile
 * to the assembler, whose finished writes go to the sinks through a background write queue.
 *
 * Batch i + 1 is started as soon as batch i is done and i + 1 is read, so the session runs
 * while batch i is stitched and batch i + 2 is read and converted into a free input buffer
 * (`BatchRunner` keeps a small pool; nothing is allocated per batch). The sinks are started
 * (`openOutputs`) once the first batch shows the model's output channels. Once it shows a
 * two-class model written only as labels, a session that can (a worker with the SIMD
 * kernels) returns labels instead of probabilities. An abort is checked between batches
 * after one event-loop turn, so an abort event queued behind the run is seen.
 */
import { internalError, invalidModel } from "../errors.js";
import type { ImageSink } from "../io/types.js";
import { logitAdvice } from "../validate/zen-rules.js";
import { BlendAssembler, CropAssembler, writeOutput, type Assembler, type TileJob } from "./assembler.js";
import { outputInfo, type ConvertSpec, type OutputTarget } from "./outputs.js";
import type { PredictionPlan } from "./plan.js";
import { runDescription } from "./report.js";
import type { BatchRunner, LabelSpec } from "./session.js";
import type { TileInputReader } from "./tile-input.js";
import type { TilePlan2D, TilePlan3D } from "./tiling.js";
import type { EngineModel } from "./types.js";
import { WriteQueue } from "./write-queue.js";
import { yieldToEventLoop } from "../io/yield.js";

/** The outputs of a run, started: one target per sink, and the assembler that fills them. */
export interface OpenOutputs {
  targets: OutputTarget[];
  assembler: Assembler;
}

/** Check the model's output channels, start every sink and make the assembler. */
export async function openOutputs(model: EngineModel, plan: PredictionPlan, sinks: ImageSink[], channels: number): Promise<OpenOutputs> {
  if (model.kind === "segmentation" && channels < 2) {
    throw invalidModel(
      `a segmentation model must output one channel per class (>= 2); this one outputs ${channels}: ${logitAdvice(channels)}`,
      {
        where: model.name,
      },
    );
  }
  if (model.kind === "regression" && model.outputChannels !== undefined && model.outputChannels !== channels) {
    throw invalidModel(`the model outputs ${channels} channel(s) but its metadata says ${model.outputChannels}`, { where: model.name });
  }
  const { planes } = plan;
  const ctx = {
    model,
    width: planes.width,
    height: planes.height,
    sizes: planes.outSizes,
    ...(planes.outModulo ? { tModulo: planes.outModulo } : {}),
    ...(plan.physicalSize ? { physicalSize: plan.physicalSize } : {}),
    ...(planes.outChannelNames ? { planeNames: planes.outChannelNames } : {}),
    channels,
    description: runDescription(plan),
  };
  const targets = plan.outputs.map((kind, i) => ({ kind, sink: sinks[i]!, info: outputInfo(kind, ctx) }));
  const minConfidence = plan.minConfidence ?? -Infinity;
  const specs: ConvertSpec[] = targets.map((t) => ({
    kind: t.kind,
    channels,
    labelValues: t.kind === "labels" ? (t.info.classes ?? []).map((c) => c.value) : [],
    minConfidence,
  }));
  for (const t of targets) await t.sink.begin(t.info);
  const assembler =
    plan.blend === "none"
      ? new CropAssembler(targets, specs, plan.grid, planes.stacks)
      : new BlendAssembler(targets, specs, plan.grid as TilePlan2D, planes.stacks, channels, plan.blend);
  return { targets, assembler };
}

/** Labels the session may compute itself: one crop-and-place label target of a two-class model, no confidence threshold. */
function readyLabels(runner: BatchRunner, plan: PredictionPlan, targets: OutputTarget[], channels: number): LabelSpec | undefined {
  const target = targets[0];
  if (!runner.canComputeLabels || plan.blend !== "none" || !target || targets.length !== 1 || target.kind !== "labels") return undefined;
  if (channels !== 2 || plan.minConfidence !== null) return undefined;
  const values = (target.info.classes ?? []).map((c) => c.value);
  const type = target.info.sampleType;
  if (values.length !== 2 || (type !== "uint8" && type !== "uint16")) return undefined;
  return { values: [values[0]!, values[1]!], type };
}

/** Every tile of every stack (or of the plan's tile block), in the order the assembler expects (stack, z, y, x). */
function* tileJobs(plan: PredictionPlan): Generator<TileJob> {
  const { grid, tiles } = plan;
  const nz = "zs" in grid ? grid.zs.length : 1;
  const [s0, s1] = tiles ? [tiles.stack, tiles.stack + 1] : [0, plan.planes.stacks.length];
  const [y0, y1] = tiles?.y ?? [0, grid.ys.length];
  const [x0, x1] = tiles?.x ?? [0, grid.xs.length];
  for (let stack = s0; stack < s1; stack++)
    for (let zi = 0; zi < nz; zi++) for (let yi = y0; yi < y1; yi++) for (let xi = x0; xi < x1; xi++) yield { stack, zi, yi, xi };
}

/** Output pixels of a tile's centre (what it adds to the finished image). */
function centrePixels(grid: TilePlan2D | TilePlan3D, job: TileJob): number {
  const y = grid.ys[job.yi]!;
  const x = grid.xs[job.xi]!;
  const z = "zs" in grid ? grid.zs[job.zi]! : { start: 0, end: 1 };
  return (z.end - z.start) * (y.end - y.start) * (x.end - x.start);
}

export interface BatchPipeline {
  plan: PredictionPlan;
  runner: BatchRunner;
  reader: TileInputReader;
  /** Starts the outputs once the first batch shows the model's output channels (`openOutputs`). */
  begin: (channels: number) => Promise<OpenOutputs>;
  /** With a signal, one event-loop turn is given between batches so that a pending abort arrives. */
  signal?: AbortSignal;
  /** Throws when the run is aborted. */
  checkAbort: () => void;
  /** Called after each batch with the tiles and output pixels finished so far. */
  onBatch?: (tilesDone: number, pixelsDone: number) => void;
}

/** Run every tile of the plan; returns the started outputs (all written) and the number of batches. */
export async function runBatches(p: BatchPipeline): Promise<{ targets: OutputTarget[]; batches: number }> {
  const { plan, runner, reader, signal, checkAbort } = p;
  const writes = new WriteQueue();
  const jobs = tileJobs(plan);
  const takeBatch = (): TileJob[] => {
    const list: TileJob[] = [];
    while (list.length < plan.batch.max) {
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
  let labels: LabelSpec | undefined;
  const start = (batch: { list: TileJob[]; buffer: Float32Array }) => {
    const running = runner.run(batch.buffer, plan.batch.dynamic ? batch.list.length : plan.batch.run, labels);
    // Keep a failed run from being reported as unhandled before it is awaited.
    running.catch(() => undefined);
    return running;
  };

  let outputs: OpenOutputs | null = null;
  let tilesDone = 0;
  let pixelsDone = 0;
  let batches = 0;
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
    if (!outputs) {
      outputs = await p.begin(result.channels);
      labels = readyLabels(runner, plan, outputs.targets, result.channels);
    }
    const nextRunning = next ? start(next) : null;
    for (let i = 0; i < prepared.list.length; i++) {
      const job = prepared.list[i]!;
      for (const w of outputs.assembler.place(job, result.data, i, result.labels)) {
        await writes.push(() => writeOutput(w));
      }
      pixelsDone += centrePixels(plan.grid, job);
    }
    runner.recycle(result);
    tilesDone += prepared.list.length;
    batches++;
    p.onBatch?.(tilesDone, pixelsDone);
    prepared = next;
    running = nextRunning;
  }
  await writes.drain();
  checkAbort();
  if (!outputs) throw internalError("nothing was predicted");
  return { targets: outputs.targets, batches };
}
