/**
 * `predictPackage`: run a bioimage.io package over an image of any size with the package's own
 * semantics, streaming (what `czmodel predict PACKAGE IMAGE -o OUT` does).
 *
 * - `preparePackage` checks the package and its ONNX weights and plans the run
 *   (run-package.ts) before any image is opened, so a package that cannot run fails first;
 * - packages without per-sample statistics: one engine run over every selected plane;
 * - with statistics: for each sample (one 2-D plane with all its channels, as the engine
 *   groups them), a streaming statistics pass over the whole plane (sample-pass.ts), then an
 *   engine run of the weights with those statistics as fixed ops over that plane only
 *   (`PlanesView`), written at its plane of the one output (`PackageSink`). So every plane
 *   is normalised with its own statistics, as bioimage.io does per sample;
 * - tiles of the package's valid size, border = the output's halo, crop-and-place; raw
 *   intensities, the image's own channel order (RGB), float32 output channels named as in the
 *   package;
 * - progress counts statistics regions and tiles; the result holds the statistics used.
 * Memory is bounded by the engine's (tiles in flight) plus one statistics region and the
 * histograms (65536 × 8 bytes per channel). Isomorphic: the caller passes the engine run
 * (`predict` with a runtime, or `predictNode`).
 */
import { planModelInput } from "../engine/pixels.js";
import { planStacks } from "../engine/planes.js";
import { planTiles2D, tileCount, type BlendMode } from "../engine/tiling.js";
import type { ChannelOrderOption, EngineModel, PlaneFilter, PredictOptions, PredictProgress, PredictResult } from "../engine/types.js";
import { invalidModel, unsupported } from "../errors.js";
import type { ImageSink, ImageSource, PlaneIndex } from "../io/types.js";
import { summarizeOnnx } from "../onnx/index.js";
import type { ModelDescription } from "./description.js";
import { PackageSink } from "./plane-io.js";
import { PlanesView } from "../io/plane-view.js";
import {
  outputChannelNames,
  packageEngineModel,
  planPackageRun,
  resolveStatistics,
  type PackageRunPlan,
  type StepStatistics,
} from "./run-package.js";
import { methodFor, passesFor, regionCount, SampleStatistician, type StatisticsMethod } from "./sample-pass.js";
import { requireSingleTensors } from "./to-zen.js";

export interface PackageInput {
  description: ModelDescription;
  /** The package and its description file, for messages (`pkg/: rdf.yaml`). */
  where: string;
  /** The ONNX weights (already checked against their SHA-256). */
  onnx: Uint8Array;
  /** The weights file, for messages. */
  onnxWhere: string;
}

export interface PreparedPackage extends PackageInput {
  plan: PackageRunPlan;
  onnxInputDims: (number | string | null)[];
}

/** Options of the engine run a package prediction passes on. */
type EngineRunOptions = Omit<PredictOptions, "runtime">;
/** An engine run: `predict` with a runtime, or `predictNode`. */
export type EngineRun = (model: EngineModel, source: ImageSource, sink: ImageSink, options: EngineRunOptions) => Promise<PredictResult>;

export interface PackagePredictOptions {
  /** Tile `[H, W]`: one of the package's valid input sizes (default: its fixed size, or the smallest valid ≥ 512). */
  tile?: number[];
  /** Border per side override (default: the output's halo). */
  border?: number | number[];
  blend?: BlendMode;
  batch?: number;
  threads?: number;
  sessionOptions?: PredictOptions["sessionOptions"];
  planes?: PlaneFilter;
  channelOrder?: ChannelOrderOption;
  signal?: AbortSignal;
  onProgress?: (event: PredictProgress) => void;
  /** Side of the regions the statistics pass reads (default 1024). */
  statisticsRegion?: number;
}

/** What a package run did beyond an ordinary prediction. */
export interface PackageRunSummary {
  name: string;
  formatVersion: string;
  /** The graph's pre-/post-processing ops (with the first sample's statistics filled in). */
  preprocessing: string[];
  postprocessing: string[];
  /** How the statistics were computed, in words (absent without statistics steps). */
  statisticsMethod?: string;
  /** Per sample: the output plane, the input planes read, and each statistics step's values and ops. */
  samples: { plane: PlaneIndex; inputPlanes: PlaneIndex[]; statistics: StepStatistics[] }[];
  /** Time spent in statistics passes. */
  statisticsMs: number;
  /** Engine runs (1 without statistics, else one per sample). */
  runs: number;
}

export interface PackagePredictResult extends PredictResult {
  package: PackageRunSummary;
}

/** Check the package and plan its run (no image needed). */
export function preparePackage(input: PackageInput, options: Pick<PackagePredictOptions, "tile"> = {}): PreparedPackage {
  requireSingleTensors(input.description, input.where);
  const summary = summarizeOnnx(input.onnx);
  if (summary.inputs.length !== 1 || summary.outputs.length !== 1) {
    throw unsupported(`the ONNX weights have ${summary.inputs.length} inputs and ${summary.outputs.length} outputs`, {
      where: input.onnxWhere,
      allowed: "one of each",
    });
  }
  const onnxInputDims = summary.inputs[0]!.shape;
  const plan = planPackageRun(input.description, onnxInputDims, options.tile ? { tile: options.tile } : {}, input.where);
  return { ...input, plan, onnxInputDims };
}

const METHOD_WORDS: Record<StatisticsMethod, string> = {
  histogram:
    "whole plane, exact: one streaming pass, a 65536-bin histogram per channel (8/16-bit image); mean and population std in float64, numpy linear percentiles",
  float32:
    "whole plane, exact: streaming float64 mean and population std (merged per region); numpy linear percentiles from two passes over the float32 bit patterns",
};

const now = () => performance.now();

/** Run a prepared package over `source` into `sink` (see the module doc). */
export async function predictPackage(
  pkg: PreparedPackage,
  source: ImageSource,
  sink: ImageSink,
  options: PackagePredictOptions,
  run: EngineRun,
): Promise<PackagePredictResult> {
  const started = now();
  const { plan } = pkg;
  const zen = plan.zen;
  const info = source.info;
  try {
    const stub: EngineModel = {
      name: plan.description.name,
      kind: "regression",
      onnx: new Uint8Array(),
      tile: zen.tile,
      border: zen.border,
      inputChannels: zen.inputChannels,
      channelOrder: "rgb",
      scaleInputs: false,
    };
    const { mapping } = planModelInput(stub, info, options.channelOrder ? { channelOrder: options.channelOrder } : {});
    const stacks = planStacks(info, options.planes, mapping.planesPerInput, 2);
    const { width, height } = stacks;
    const withStats = plan.statistics.length > 0;
    const method = methodFor({ source, mapping });
    const runs = withStats ? stacks.stacks.length : 1;

    // progress: statistics regions + tiles, over every sample
    const border = typeof options.border === "number" ? [options.border, options.border] : (options.border ?? zen.border);
    const tilesPerPlane = tileCount(planTiles2D(height, width, zen.tile, [border[0] ?? 0, border[1] ?? border[0] ?? 0]));
    const passes = method === "histogram" ? 1 : plan.statistics.reduce((s, st) => s + passesFor(method, st.needs), 0);
    const statUnits = withStats ? regionCount(width, height, options.statisticsRegion) * passes : 0;
    const unitsTotal = (statUnits + tilesPerPlane) * stacks.stacks.length;
    const megapixelsTotal = (width * height * stacks.stacks.length) / 1e6;
    let unitsBefore = 0;
    let pixelsBefore = 0;
    const report = progressReporter(options.onProgress, started, unitsTotal, megapixelsTotal);

    const out = new PackageSink(sink, {
      sizes: stacks.outSizes,
      ...(stacks.outModulo ? { tModulo: stacks.outModulo } : {}),
      ...(stacks.outChannelNames ? { planeNames: stacks.outChannelNames } : {}),
      channelNames: outputChannelNames(plan),
      description: { bioimageioPackage: plan.description.name, bioimageioFormat: plan.description.formatVersion },
      runs,
    });
    const engineOptions = (): EngineRunOptions =>
      engineRunOptions(options, (e) => report(unitsBefore + e.tilesDone, pixelsBefore + e.megapixelsDone));

    const results: PredictResult[] = [];
    const samples: PackageRunSummary["samples"] = [];
    let ops: { pre: string[]; post: string[] } | null = null;
    let statisticsMs = 0;
    if (!withStats) {
      const built = packageEngineModel(plan, pkg.onnx, pkg.onnxInputDims, new Map(), pkg.onnxWhere);
      ops = { pre: built.ops.preprocessing, post: built.ops.postprocessing };
      results.push(await run(built.model, source, out, { ...engineOptions(), ...(options.planes ? { planes: options.planes } : {}) }));
    } else {
      for (const stack of stacks.stacks) {
        const inputPlanes = stack.inputs[0]!;
        const t0 = now();
        let regions = 0;
        const statistician = new SampleStatistician(
          { source, planes: inputPlanes, width, height, mapping },
          {
            ...(options.signal ? { signal: options.signal } : {}),
            ...(options.statisticsRegion ? { region: options.statisticsRegion } : {}),
            onRegion: () => report(unitsBefore + ++regions, pixelsBefore),
          },
        );
        const resolved = await resolveStatistics(plan, statistician);
        statisticsMs += now() - t0;
        unitsBefore += statUnits;
        const built = packageEngineModel(plan, pkg.onnx, pkg.onnxInputDims, resolved.fixedPre, pkg.onnxWhere);
        ops ??= { pre: built.ops.preprocessing, post: built.ops.postprocessing };
        samples.push({ plane: stack.outPlanes[0]!, inputPlanes, statistics: resolved.steps });
        out.target = stack.outPlanes[0]!;
        const r = await run(built.model, new PlanesView(source, inputPlanes, false), out, engineOptions());
        results.push(r);
        unitsBefore += r.tiles;
        pixelsBefore += r.megapixels;
      }
    }
    if (!results[0] || !out.info || !ops) throw invalidModel("nothing was predicted", { where: pkg.where });
    return packageResult({
      pkg,
      results,
      output: out.info,
      ops,
      samples,
      statisticsMs,
      runs,
      sampleCount: stacks.stacks.length,
      method,
      started,
      megapixelsTotal,
    });
  } catch (e) {
    await sink.abort().catch(() => undefined);
    throw e;
  }
}

/** Progress over statistics regions and tiles of every sample, as one count. */
function progressReporter(
  onProgress: PackagePredictOptions["onProgress"],
  started: number,
  unitsTotal: number,
  megapixelsTotal: number,
): (units: number, megapixelsDone: number) => void {
  return (units, megapixelsDone) => {
    if (!onProgress) return;
    const elapsedMs = now() - started;
    onProgress({
      tilesDone: units,
      tilesTotal: unitsTotal,
      megapixelsDone,
      megapixelsTotal,
      elapsedMs,
      megapixelsPerSecond: elapsedMs > 0 ? (megapixelsDone * 1000) / elapsedMs : 0,
      etaMs: units > 0 ? (elapsedMs / units) * (unitsTotal - units) : NaN,
    });
  };
}

/** The engine options of one model run, from the package run's options. */
function engineRunOptions(options: PackagePredictOptions, onProgress: EngineRunOptions["onProgress"]): EngineRunOptions {
  return {
    ...(options.border !== undefined ? { border: options.border } : {}),
    ...(options.blend ? { blend: options.blend } : {}),
    ...(options.batch ? { batch: options.batch } : {}),
    ...(options.threads ? { threads: options.threads } : {}),
    ...(options.sessionOptions ? { sessionOptions: options.sessionOptions } : {}),
    ...(options.channelOrder ? { channelOrder: options.channelOrder } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(onProgress ? { onProgress } : {}),
  };
}

/** What `packageResult` puts together after the runs. */
interface PackageRuns {
  pkg: PreparedPackage;
  results: PredictResult[];
  output: NonNullable<PackageSink["info"]>;
  ops: { pre: string[]; post: string[] };
  samples: PackageRunSummary["samples"];
  statisticsMs: number;
  runs: number;
  sampleCount: number;
  method: StatisticsMethod;
  started: number;
  megapixelsTotal: number;
}

/** The engine results of every sample folded into one package result. */
function packageResult(r: PackageRuns): PackagePredictResult {
  const { plan } = r.pkg;
  const { results, ops, samples, started, megapixelsTotal, method, runs } = r;
  const first = results[0]!;
  const withStats = plan.statistics.length > 0;
  const elapsedMs = now() - started;
  const notes = [...new Set([...plan.zen.notes, ...results.flatMap((result) => result.notes)])];
  if (withStats) {
    notes.push(
      r.sampleCount > 1
        ? `per-sample statistics: each of the ${r.sampleCount} planes is normalised with its own whole-plane statistics (one model run per plane)`
        : "per-sample statistics: computed over the whole image before tiling",
    );
  }
  return {
    model: { name: plan.description.name, kind: "regression" },
    tile: first.tile,
    border: first.border,
    blend: first.blend,
    batchSize: first.batchSize,
    tilesPerPlane: first.tilesPerPlane,
    tiles: results.reduce((s, result) => s + result.tiles, 0),
    batches: results.reduce((s, result) => s + result.batches, 0),
    outputs: [r.output],
    channelMapping: first.channelMapping,
    inputScaling: "none (raw intensities, as the package expects)",
    notes,
    elapsedMs,
    megapixels: megapixelsTotal,
    megapixelsPerSecond: elapsedMs > 0 ? (megapixelsTotal * 1000) / elapsedMs : 0,
    package: {
      name: plan.description.name,
      formatVersion: plan.description.formatVersion,
      preprocessing: ops.pre,
      postprocessing: ops.post,
      ...(withStats ? { statisticsMethod: METHOD_WORDS[method] } : {}),
      samples,
      statisticsMs: r.statisticsMs,
      runs,
    },
  };
}
