/**
 * bioimage.io processing steps → czmodel graph operations (the `--preprocess` /
 * `--postprocess` op syntax, parsed by src/onnx/ops), with bioimage.io's exact semantics:
 * - statistics axes: over the space axes (and channel) of one sample. `axes` without the
 *   channel axis means one statistic per channel (`per-channel`), with it one for all
 *   channels (`joint`); absent axes mean every axis but batch (joint);
 * - zero_mean_unit_variance: (x − mean) / (std + eps), population std;
 * - scale_range: (x − P_lo) / (P_hi − P_lo + eps), percentiles as numpy's `linear` quantile;
 * - clip with fixed or percentile bounds; scale_linear, fixed means/stds, binarize per channel;
 * - sigmoid; softmax over the channel axis; ensure_dtype to a float type is a no-op here
 *   (every op computes in float32).
 * Statistics steps become in-graph per-image ops (per tile in ZEN); a caller that knows the
 * statistics of the whole image passes `fixed` texts for those steps instead. Isomorphic.
 */
import { invalidMetadata, unsupported } from "../errors.js";
import type { AxisValues, ProcessingStep, StatAxes, TensorDescription } from "./description.js";

export type StatScope = "joint" | "per-channel";

/** The statistics scope of `axes` on `tensor`, or an error for reductions ZEN tiles cannot express. */
export function statScope(tensor: TensorDescription, axes: StatAxes, where: string): StatScope {
  const ids = new Set((axes ?? tensor.axes.map((a) => a.id)).filter((id) => tensor.axes.find((a) => a.id === id)?.type !== "batch"));
  const unknown = [...ids].filter((id) => !tensor.axes.some((a) => a.id === id));
  if (unknown.length) throw invalidMetadata(`axes ${unknown.join(", ")} are not axes of tensor ${tensor.id}`, { where });
  const space = tensor.axes.filter((a) => a.type === "space").map((a) => a.id);
  const channel = tensor.axes.find((a) => a.type === "channel")?.id;
  if (!space.every((id) => ids.has(id))) {
    throw unsupported(`statistics over axes [${[...ids].join(", ")}] leave out a space axis`, {
      where,
      allowed: "statistics over every space axis (per channel or joint)",
    });
  }
  return channel !== undefined && ids.has(channel) ? "joint" : "per-channel";
}

const fmt = (v: number) => String(v);

/** `v` or `v1:v2:v3` along the channel axis. */
function values(v: AxisValues, tensor: TensorDescription, where: string): string {
  if (typeof v === "number") return fmt(v);
  const axis = tensor.axes.find((a) => a.id === v.axis);
  if (axis?.type !== "channel") throw unsupported(`values along axis ${v.axis} (only along the channel axis can be mapped)`, { where });
  return v.values.map(fmt).join(":");
}

/** Whether a step computes statistics of the sample (its result depends on the whole image). */
export function usesSampleStatistics(step: ProcessingStep): boolean {
  if (step.id === "zero_mean_unit_variance" || step.id === "scale_range") return true;
  return step.id === "clip" && (step.minPercentile !== null || step.maxPercentile !== null);
}

export interface StepOptions {
  /** Op texts that replace statistics steps by index (e.g. whole-image statistics as fixed values). */
  fixed?: ReadonlyMap<number, string[]>;
  /** Ids of the package's tensors, for `reference_tensor` checks. */
}

/** The op texts for a tensor's processing steps (`role` pre for inputs, post for outputs). */
export function stepsToOps(tensor: TensorDescription, role: "pre" | "post", where: string, options: StepOptions = {}): string[] {
  const out: string[] = [];
  tensor.processing.forEach((step, i) => {
    const at = `${where}.${role === "pre" ? "preprocessing" : "postprocessing"}[${i}] (${step.id})`;
    const fixed = options.fixed?.get(i);
    out.push(...(fixed ?? stepToOps(step, tensor, at)));
  });
  return out;
}

function stepToOps(step: ProcessingStep, tensor: TensorDescription, where: string): string[] {
  switch (step.id) {
    case "ensure_dtype":
      if (!/^float(32|64)$/.test(step.dtype)) {
        throw unsupported(`ensure_dtype to ${step.dtype} inside the chain`, {
          where,
          allowed: "float32 / float64 (ZEN models compute in float32)",
        });
      }
      return [];
    case "scale_linear":
      return [`scale-linear=${values(step.gain, tensor, where)}/${values(step.offset, tensor, where)}`];
    case "fixed_zero_mean_unit_variance":
      return [`zero-mean-unit-variance=${values(step.mean, tensor, where)}/${values(step.std, tensor, where)}/${fmt(step.eps)}`];
    case "zero_mean_unit_variance":
      requirePerSample(step.mode, where);
      return [`zero-mean-unit-variance=${statScope(tensor, step.axes, where)}/${fmt(step.eps)}`];
    case "scale_range":
      requirePerSample(step.mode, where);
      if (step.referenceTensor !== null && step.referenceTensor !== tensor.id) {
        throw unsupported(`scale_range with reference_tensor ${step.referenceTensor} (statistics of another tensor)`, {
          where,
          allowed: "statistics of the tensor itself",
        });
      }
      return [
        `scale-range=${statScope(tensor, step.axes, where)}/p${fmt(step.minPercentile)}/p${fmt(step.maxPercentile)}/${fmt(step.eps)}`,
      ];
    case "clip": {
      const lo = step.minPercentile !== null ? `p${fmt(step.minPercentile)}` : step.min !== null ? fmt(step.min) : "";
      const hi = step.maxPercentile !== null ? `p${fmt(step.maxPercentile)}` : step.max !== null ? fmt(step.max) : "";
      const percentiles = step.minPercentile !== null || step.maxPercentile !== null;
      return [percentiles ? `clip=${statScope(tensor, step.axes, where)}/${lo}/${hi}` : `clip=${lo}/${hi}`];
    }
    case "sigmoid":
      return ["sigmoid"];
    case "softmax": {
      const axis = tensor.axes.find((a) => a.id === step.axis);
      if (axis?.type !== "channel")
        throw unsupported(`softmax over axis ${step.axis}`, { where, allowed: "softmax over the channel axis" });
      return ["softmax"];
    }
    case "binarize":
      return [`binarize=${values(step.threshold, tensor, where)}`];
    case "scale_mean_variance":
      throw unsupported("scale_mean_variance (it matches the output to another tensor's statistics, which a ZEN model cannot see)", {
        where,
      });
  }
}

function requirePerSample(mode: "per_sample" | "per_dataset", where: string): void {
  if (mode === "per_dataset") {
    throw unsupported("per_dataset statistics (the package does not hold the dataset's values)", {
      where,
      allowed: "per_sample or fixed statistics",
    });
  }
}
