/**
 * Planning a direct run of a bioimage.io package (`czmodel predict PACKAGE IMAGE`) with the
 * package's own semantics:
 *
 * 1. `planPackageRun`: the package's one input and one output in `planZenImport`'s `package`
 *    mode (raw intensities in the image's channel order, outputs as the package defines them,
 *    tile from the valid sizes or `--tile`, border = halo). Its per-sample statistics steps
 *    (`zero_mean_unit_variance`, `scale_range`, `clip` with percentiles) are found and checked
 *    up front: per-dataset statistics, another tensor's statistics, reductions that leave out a
 *    space axis, a per-channel percentile clip of several channels (the fixed `clip` op has one
 *    bound for all channels), a non-elementwise step before a statistics step, and statistics
 *    steps in the output's post-processing (they would need the model's output over the whole
 *    image, i.e. a second model pass) are refused in one line before any pixel is read;
 * 2. `resolveStatistics`: for one sample, in step order, the statistics of the tensor as it is
 *    at that step (earlier elementwise steps applied in the pass, `elementwise.ts`), turned
 *    into fixed ops: `(x − mean) / (std + eps)`, `(x − P_lo) / (P_hi − P_lo + eps)`, a clip;
 *    a zero std (or an empty percentile range) falls back to the same formula as
 *    `scale-linear=1/(std + eps)/−mean/(std + eps)`, since the fixed ops refuse such values;
 * 3. `packageEngineModel`: the ONNX weights with those ops, made NHWC and fixed to the tile, as
 *    a regression `EngineModel` fed raw values (`scaleInputs: false`, RGB order).
 * Isomorphic.
 */
import type { EngineModel } from "../engine/types.js";
import { unsupported } from "../errors.js";
import { adaptModel, parseOpList } from "../onnx/index.js";
import type { ModelDescription, ProcessingStep, TensorDescription } from "./description.js";
import { clipFns, compose, scaleLinearFns, stepFunctions, subtractDivideFns, type ChannelFunctions } from "./elementwise.js";
import { statScope, usesSampleStatistics, type StatScope } from "./processing.js";
import type { SampleStatistician } from "./sample-pass.js";
import type { GroupStatistics, StatNeeds } from "./statistics.js";
import { planZenImport, requireSingleTensors, type ZenImportPlan } from "./to-zen.js";

/** One per-sample statistics step of the input. */
interface StatisticsStep {
  index: number;
  step: Extract<ProcessingStep, { id: "zero_mean_unit_variance" | "scale_range" | "clip" }>;
  scope: StatScope;
  needs: StatNeeds;
  /** `PACKAGE: rdf.yaml: inputs[0].preprocessing[1] (zero_mean_unit_variance)`. */
  where: string;
}

export interface PackageRunPlan {
  description: ModelDescription;
  /** The package as named, for messages. */
  where: string;
  /** `planZenImport`'s plan with every statistics step left out (tile, border, channels, layout, other ops). */
  zen: ZenImportPlan;
  statistics: StatisticsStep[];
  /** Functions of the steps before the last statistics step, by index (statistics steps: filled per sample). */
  stepFns: Map<number, ChannelFunctions>;
}

export interface PlanOptions {
  tile?: number[];
}

/** Check the package and find its statistics steps (see the module doc). */
export function planPackageRun(
  desc: ModelDescription,
  onnxInputDims: (number | string | null)[],
  options: PlanOptions,
  where: string,
): PackageRunPlan {
  requireSingleTensors(desc, where);
  const input = desc.inputs[0]!;
  const output = desc.outputs[0]!;
  output.processing.forEach((step, i) => {
    if (!usesSampleStatistics(step) && step.id !== "scale_mean_variance") return;
    throw unsupported(
      `${step.id} in the output's post-processing needs statistics of the model's output over the whole image, which would take a second model pass over the image; predict PACKAGE computes input statistics only`,
      { where: `${where}: outputs[0].postprocessing[${i}] (${step.id})` },
    );
  });
  const statistics = findStatisticsSteps(input, where);
  // the package's plan with the statistics steps left out: checks layout, sizes, halo and every other step
  const skip = new Map(statistics.map((s) => [s.index, [] as string[]]));
  const zen = planZenImport(
    desc,
    onnxInputDims,
    undefined,
    undefined,
    { mode: "package", fixedPre: skip, ...(options.tile ? { tile: options.tile } : {}) },
    where,
  );
  const channels = zen.inputChannels;
  statistics.forEach((s) => {
    if (s.step.id === "clip" && s.scope === "per-channel" && channels > 1) {
      throw unsupported(`a per-channel percentile clip of ${channels} channels (the fixed clip op takes one bound for all channels)`, {
        where: s.where,
        allowed: "percentile clips over all channels (axes with the channel axis) or of one channel",
      });
    }
  });
  const last = statistics.length ? statistics[statistics.length - 1]!.index : -1;
  const stepFns = new Map<number, ChannelFunctions>();
  input.processing.forEach((step, i) => {
    if (i >= last || statistics.some((s) => s.index === i)) return;
    stepFns.set(i, stepFunctions(step, input, channels, stepWhere(where, i, step)));
  });
  return { description: desc, where, zen, statistics, stepFns };
}

const stepWhere = (where: string, i: number, step: ProcessingStep) => `${where}: inputs[0].preprocessing[${i}] (${step.id})`;

function findStatisticsSteps(input: TensorDescription, where: string): StatisticsStep[] {
  const out: StatisticsStep[] = [];
  input.processing.forEach((step, index) => {
    if (!usesSampleStatistics(step)) return;
    const at = stepWhere(where, index, step);
    if (step.id === "zero_mean_unit_variance") {
      perSample(step.mode, at);
      out.push({ index, step, scope: statScope(input, step.axes, at), needs: { moments: true, percentiles: [] }, where: at });
    } else if (step.id === "scale_range") {
      perSample(step.mode, at);
      if (step.referenceTensor !== null && step.referenceTensor !== input.id) {
        throw unsupported(`scale_range with reference_tensor ${step.referenceTensor} (statistics of another tensor)`, {
          where: at,
          allowed: "statistics of the tensor itself",
        });
      }
      out.push({
        index,
        step,
        scope: statScope(input, step.axes, at),
        needs: { moments: false, percentiles: [step.minPercentile, step.maxPercentile] },
        where: at,
      });
    } else if (step.id === "clip") {
      const ps = [step.minPercentile, step.maxPercentile].filter((p): p is number => p !== null);
      out.push({ index, step, scope: statScope(input, step.axes, at), needs: { moments: false, percentiles: ps }, where: at });
    }
  });
  return out;
}

function perSample(mode: "per_sample" | "per_dataset", where: string): void {
  if (mode === "per_dataset") {
    throw unsupported("per_dataset statistics (the package does not hold the dataset's values, and one image is not the dataset)", {
      where,
      allowed: "per_sample or fixed statistics",
    });
  }
}

/** The statistics one step used on one sample, for reports. */
export interface StepStatistics {
  /** Where the step is (`inputs[0].preprocessing[1] (zero_mean_unit_variance)`). */
  step: string;
  scope: StatScope;
  /** Values per channel (one entry for `joint`): `mean`, `std`, `p1`, `p99.8`, `min`, `max` … */
  values: Record<string, number[]>;
  /** The fixed op(s) the step became. */
  ops: string[];
}

export interface ResolvedStatistics {
  fixedPre: Map<number, string[]>;
  steps: StepStatistics[];
}

const num = (v: number) => String(v);
const list = (vs: number[]) => (vs.every((v) => v === vs[0]) ? num(vs[0]!) : vs.map(num).join(":"));
const pKey = (q: number) => (q === 0 ? "min" : q === 100 ? "max" : `p${q}`);

/** Compute one sample's statistics step by step and turn each statistics step into fixed ops. */
export async function resolveStatistics(plan: PackageRunPlan, statistician: SampleStatistician): Promise<ResolvedStatistics> {
  const input = plan.description.inputs[0]!;
  const channels = plan.zen.inputChannels;
  const fixedPre = new Map<number, string[]>();
  const steps: StepStatistics[] = [];
  let prefix: ChannelFunctions = null;
  for (let i = 0; i < input.processing.length; i++) {
    const stat = plan.statistics.find((s) => s.index === i);
    if (!stat) {
      if (plan.stepFns.has(i)) prefix = compose(prefix, plan.stepFns.get(i)!);
      continue;
    }
    const groups = await statistician.statistics(stat.scope, prefix, stat.needs);
    // per channel: the group of each channel (joint: the one group)
    const of = (pick: (g: GroupStatistics) => number) =>
      Array.from({ length: channels }, (_, c) => pick(groups[stat.scope === "joint" ? 0 : c]!));
    const values: Record<string, number[]> = {};
    const record = (key: string, pick: (g: GroupStatistics) => number) => (values[key] = groups.map(pick));
    const fixed = fixedStep(stat, of, record, channels);
    fixedPre.set(i, fixed.ops);
    steps.push({ step: stat.where.slice(stat.where.indexOf("inputs[0]")), scope: stat.scope, values, ops: fixed.ops });
    prefix = compose(prefix, fixed.fns);
  }
  return { fixedPre, steps };
}

type Of = (pick: (g: GroupStatistics) => number) => number[];
type Recorder = (key: string, pick: (g: GroupStatistics) => number) => void;

function fixedStep(stat: StatisticsStep, of: Of, record: Recorder, channels: number): { ops: string[]; fns: ChannelFunctions } {
  const s = stat.step;
  if (s.id === "zero_mean_unit_variance") {
    record("mean", (g) => g.mean);
    record("std", (g) => g.std);
    return normalise(
      of((g) => g.mean),
      of((g) => g.std),
      s.eps,
      stat.where,
      (m, sd) => `zero-mean-unit-variance=${m}/${sd}/${num(s.eps)}`,
      1e-6,
    );
  }
  const p = (q: number) => {
    record(pKey(q), (g) => g.percentiles.get(q)!);
    return of((g) => g.percentiles.get(q)!);
  };
  if (s.id === "scale_range") {
    const lo = p(s.minPercentile);
    const hi = p(s.maxPercentile);
    const range = hi.map((h, c) => h - lo[c]!);
    return normalise(lo, range, s.eps, stat.where, (l) => `scale-range=${l}/${list(hi)}/${num(s.eps)}`, Number.MIN_VALUE);
  }
  // clip with percentile bounds (one bound may be fixed); per-channel only for one channel (planned)
  const lo = s.minPercentile !== null ? p(s.minPercentile)[0]! : s.min;
  const hi = s.maxPercentile !== null ? p(s.maxPercentile)[0]! : s.max;
  if (lo !== null && hi !== null && lo > hi) {
    throw unsupported(`the clip bounds of this image are [${lo}, ${hi}], an empty range`, { where: stat.where });
  }
  return { ops: [`clip=${lo === null ? "" : num(lo)}/${hi === null ? "" : num(hi)}`], fns: clipFns(lo, hi, channels) };
}

/**
 * `(x − a) / (d + eps)` per channel: the fixed op `text(a, d)` when every d is at least `minD`
 * (what the op accepts), else the same as `scale-linear=G/O`.
 */
function normalise(
  a: number[],
  d: number[],
  eps: number,
  where: string,
  text: (a: string, d: string) => string,
  minD: number,
): { ops: string[]; fns: ChannelFunctions } {
  if (d.every((v) => v >= minD))
    return {
      ops: [text(list(a), list(d))],
      fns: subtractDivideFns(
        a,
        d.map((v) => v + eps),
      ),
    };
  const gain = d.map((v) => 1 / (v + eps));
  if (!gain.every(Number.isFinite)) throw unsupported("the image is constant and eps is 0: the step divides by zero", { where });
  const offset = a.map((v, c) => -v * gain[c]!);
  if (gain.every((g) => g === 1) && offset.every((o) => o === 0)) return { ops: [], fns: null };
  return { ops: [`scale-linear=${list(gain)}/${list(offset)}`], fns: scaleLinearFns(gain, offset) };
}

/** The ops the graph gets for a sample: the package's steps with the statistics steps fixed. */
function packageOps(
  plan: PackageRunPlan,
  fixedPre: ReadonlyMap<number, string[]>,
  onnxInputDims: (number | string | null)[],
): ZenImportPlan {
  const tile = plan.zen.tile;
  return planZenImport(plan.description, onnxInputDims, undefined, undefined, { mode: "package", fixedPre, tile }, plan.where);
}

/** The engine's model for a sample: the weights with the package's ops (statistics fixed), NHWC, fixed to the tile. */
export function packageEngineModel(
  plan: PackageRunPlan,
  onnx: Uint8Array,
  onnxInputDims: (number | string | null)[],
  fixedPre: ReadonlyMap<number, string[]>,
  weightsWhere: string,
): { model: EngineModel; ops: ZenImportPlan } {
  const ops = packageOps(plan, fixedPre, onnxInputDims);
  const adapted = adaptModel(
    onnx,
    {
      ...(ops.channelsFirst ? { channelsFirst: true, forceLayout: true } : {}),
      ...(ops.setSpatialDims ? { spatialDims: ops.tile } : {}),
      preprocessing: parseOpList(ops.preprocessing.join(","), "pre"),
      postprocessing: parseOpList(ops.postprocessing.join(","), "post"),
    },
    weightsWhere,
  );
  return {
    model: {
      name: plan.description.name,
      kind: "regression",
      onnx: adapted.bytes,
      tile: ops.tile,
      border: ops.border,
      spatialDims: 2,
      inputChannels: ops.inputChannels,
      outputChannels: ops.packageOutputChannels,
      channelOrder: "rgb",
      scaleInputs: false,
    },
    ops,
  };
}

/** The output's channel names from the description (generated `channelN` when it names none). */
export function outputChannelNames(plan: PackageRunPlan): string[] {
  const axis = plan.description.outputs[0]!.axes.find((a) => a.type === "channel");
  const n = plan.zen.packageOutputChannels;
  const names = axis?.channelNames;
  return names && names.length === n ? [...names] : Array.from({ length: n }, (_, i) => `channel${i}`);
}
