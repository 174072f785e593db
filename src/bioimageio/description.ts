/**
 * The one in-memory form of a bioimage.io model description, whatever the rdf format (0.4.x or
 * 0.5.x): tensors with typed axes, sizes, halos and channel names; processing steps in the 0.5
 * vocabulary with their defaults filled in; weights per format; test tensors; the descriptive
 * fields. `rdf.ts` builds it from YAML, `export.ts` writes it back as 0.5. Isomorphic.
 */

export type AxisType = "batch" | "channel" | "index" | "space" | "time";

/** A size: fixed, `min + n·step`, or taken from another tensor's axis (`× scale + offset`). */
export type AxisSize =
  | { kind: "fixed"; value: number }
  | { kind: "parameterized"; min: number; step: number }
  | { kind: "reference"; tensorId: string; axisId: string; offset: number; scale?: number }
  | { kind: "any" };

export interface Axis {
  /** `x`, `y`, `z`, `channel`, `batch`, `t`, or a custom id. */
  id: string;
  type: AxisType;
  size: AxisSize;
  /** Output axes: pixels at each border to crop (0 when none). */
  halo: number;
  /** Channel axes: one name per channel (0.5), or generated (`channel0` …) for 0.4. */
  channelNames?: string[];
  /** Space/time axes: physical size of one pixel and its unit (0.5 only). */
  scale?: number;
  unit?: string;
}

/** The reduction axes of a statistics op, by axis id (null: every axis but batch). */
export type StatAxes = string[] | null;

/** One value, or one per entry of the named axis. */
export type AxisValues = number | { axis: string; values: number[] };

export type ProcessingStep =
  | { id: "ensure_dtype"; dtype: string }
  | { id: "scale_linear"; gain: AxisValues; offset: AxisValues }
  | { id: "fixed_zero_mean_unit_variance"; mean: AxisValues; std: AxisValues; eps: number }
  | { id: "zero_mean_unit_variance"; axes: StatAxes; eps: number; mode: "per_sample" | "per_dataset" }
  | {
      id: "scale_range";
      axes: StatAxes;
      minPercentile: number;
      maxPercentile: number;
      eps: number;
      referenceTensor: string | null;
      mode: "per_sample" | "per_dataset";
    }
  | { id: "clip"; min: number | null; max: number | null; minPercentile: number | null; maxPercentile: number | null; axes: StatAxes }
  | { id: "sigmoid" }
  | { id: "softmax"; axis: string }
  | { id: "binarize"; threshold: AxisValues }
  | { id: "scale_mean_variance"; referenceTensor: string; axes: StatAxes; eps: number };

export interface TensorDescription {
  id: string;
  description: string;
  axes: Axis[];
  /** Element type of the tensor's data (`float32`, `uint8` …). */
  dataType: string;
  /** Declared value range, when given (null for an open end). */
  dataRange?: [number | null, number | null];
  processing: ProcessingStep[];
  /** Relative path of the test tensor (.npy) in the package. */
  testTensor?: FileRef;
  sampleTensor?: FileRef;
}

export interface FileRef {
  source: string;
  sha256?: string;
}

export type WeightsFormat =
  | "onnx"
  | "pytorch_state_dict"
  | "torchscript"
  | "tensorflow_saved_model_bundle"
  | "keras_hdf5"
  | "tensorflow_js";

export interface Tolerance {
  relative: number;
  absolute: number;
  mismatchedPerMillion: number;
  outputIds: string[];
  weightsFormats: string[];
}

export interface ModelDescription {
  formatVersion: string;
  name: string;
  description: string;
  license?: string;
  authors: { name: string; affiliation?: string; orcid?: string; githubUser?: string }[];
  cite: { text: string; doi?: string; url?: string }[];
  tags: string[];
  documentation?: string;
  covers: string[];
  version?: string;
  inputs: TensorDescription[];
  outputs: TensorDescription[];
  weights: Partial<Record<WeightsFormat, FileRef & { opsetVersion?: number }>>;
  reproducibilityTolerance: Tolerance[];
  /** Free-form `config` (0.5) as parsed. */
  config: Record<string, unknown>;
}

/** bioimage.io's default tolerance for `bioimageio test`. */
export const DEFAULT_TOLERANCE: Tolerance = {
  relative: 1e-3,
  absolute: 1e-3,
  mismatchedPerMillion: 100,
  outputIds: [],
  weightsFormats: [],
};
