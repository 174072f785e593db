/**
 * Reading a bioimage.io `rdf.yaml` / `bioimageio.yaml` (model, format 0.4.x or 0.5.x) into the
 * one `ModelDescription` form: YAML via the `yaml` library (YAML 1.2 core schema, so `.inf`
 * stays a number and dates stay strings), structure checked with zod (unknown fields are
 * kept out of the way, not refused), then 0.4's letter axes, `name`/`kwargs.mode` processing
 * and reference shapes are translated to 0.5's vocabulary. A broken file is one
 * `CzmodelError` naming the file and the field. Isomorphic.
 */
import { parseDocument } from "yaml";
import { z } from "zod";
import { invalidMetadata, unsupported } from "../errors.js";
import { zodIssueError } from "../metadata/issues.js";
import type {
  Axis,
  AxisSize,
  AxisType,
  AxisValues,
  FileRef,
  ModelDescription,
  ProcessingStep,
  StatAxes,
  TensorDescription,
  Tolerance,
} from "./description.js";
import { DEFAULT_TOLERANCE } from "./description.js";

/** Largest rdf text accepted (a real one is a few KiB). */
export const MAX_RDF_BYTES = 4 * 1024 * 1024;

const num = z.number();
const str = z.string();
const loose = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape);
const fileRef = loose({ source: str.min(1), sha256: str.optional() });
const author = loose({ name: str.optional(), affiliation: str.optional(), orcid: str.optional(), github_user: str.optional() });
const citeEntry = loose({ text: str, doi: str.optional(), url: str.optional() });
const weightEntry = loose({ source: str.min(1), sha256: str.optional(), opset_version: z.number().int().optional() });
const procStep = loose({ id: str.optional(), name: str.optional(), kwargs: z.record(str, z.unknown()).optional() });

const common = {
  name: str.min(1),
  description: str.optional().default(""),
  license: str.optional(),
  authors: z.array(author).optional().default([]),
  cite: z.array(citeEntry).optional().default([]),
  tags: z.array(str).optional().default([]),
  documentation: str.optional(),
  covers: z.array(str).optional().default([]),
  version: z.union([str, num]).optional(),
  type: z.literal("model", {
    error: (i) => (i.input === undefined ? "missing" : `${JSON.stringify(i.input)} is not a model description (type must be 'model')`),
  }),
  weights: z.record(str, weightEntry),
  config: z.record(str, z.unknown()).optional().default({}),
};

// ---- format 0.5
const size05 = z.union([
  z.number().int().positive(),
  loose({ min: z.number().int().positive(), step: z.number().int().positive() }),
  loose({ tensor_id: str, axis_id: str, offset: z.number().int().optional() }),
]);
const axis05 = loose({
  type: z.enum(["batch", "channel", "index", "space", "time"]),
  id: str.optional(),
  size: z.union([size05, z.null()]).optional(),
  halo: z.number().int().nonnegative().optional(),
  channel_names: z.array(str).optional(),
  scale: z.number().positive().optional(),
  unit: z.union([str, z.null()]).optional(),
});
const data05 = z.union([loose({ type: str.optional(), range: z.array(z.unknown()).length(2).optional() }), z.array(z.unknown())]);
const tensor05 = loose({
  id: str.min(1),
  description: str.optional().default(""),
  axes: z.array(axis05).min(1),
  data: data05.optional(),
  test_tensor: fileRef.optional(),
  sample_tensor: fileRef.optional(),
  preprocessing: z.array(procStep).optional().default([]),
  postprocessing: z.array(procStep).optional().default([]),
});
const model05 = loose({ ...common, format_version: str, inputs: z.array(tensor05).min(1), outputs: z.array(tensor05).min(1) });

// ---- format 0.4
const shape04 = z.union([
  z.array(z.number().int()).min(1),
  loose({ min: z.array(z.number().int()), step: z.array(z.number().int()) }),
  loose({ reference_tensor: str, scale: z.array(num), offset: z.array(num) }),
]);
const tensor04 = loose({
  name: str.min(1),
  description: str.optional().default(""),
  axes: str.regex(/^[bitczyx]+$/, "must be letters of 'bitczyx'"),
  data_type: str,
  data_range: z.array(z.unknown()).length(2).optional(),
  shape: shape04,
  halo: z.array(z.number().int().nonnegative()).optional(),
  preprocessing: z.array(procStep).optional().default([]),
  postprocessing: z.array(procStep).optional().default([]),
});
const model04 = loose({
  ...common,
  format_version: str,
  inputs: z.array(tensor04).min(1),
  outputs: z.array(tensor04).min(1),
  test_inputs: z.array(str).min(1),
  test_outputs: z.array(str).min(1),
  sample_inputs: z.array(str).optional(),
});

/** Parse an rdf text; `where` names the file in errors. */
export function parseRdf(text: string, where: string): ModelDescription {
  if (text.length > MAX_RDF_BYTES) throw invalidMetadata(`the description is ${text.length} bytes, more than ${MAX_RDF_BYTES}`, { where });
  const doc = parseDocument(text, { schema: "core", prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "";
    throw invalidMetadata(`is not valid YAML${line}: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`, { where });
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw invalidMetadata("is not a YAML mapping", { where });
  const version = String((raw as Record<string, unknown>).format_version ?? "");
  if (/^0\.5\./.test(version)) return from05(check(model05, raw, where), where);
  if (/^0\.4\./.test(version)) return from04(check(model04, raw, where), where);
  throw unsupported(`format_version ${JSON.stringify(version || null)} is not supported`, {
    where,
    allowed: "bioimage.io model descriptions of format 0.4.x or 0.5.x",
  });
}

function check<T extends z.ZodType>(schema: T, raw: unknown, where: string): z.output<T> {
  const r = schema.safeParse(raw);
  if (!r.success) throw zodIssueError(r.error, where, () => undefined);
  return r.data;
}

function commonFields(m: z.output<typeof model05> | z.output<typeof model04>) {
  return {
    formatVersion: m.format_version,
    name: m.name,
    description: m.description,
    ...(m.license ? { license: m.license } : {}),
    authors: m.authors.map((a) => ({
      name: a.name ?? "",
      ...(a.affiliation ? { affiliation: a.affiliation } : {}),
      ...(a.orcid ? { orcid: a.orcid } : {}),
      ...(a.github_user ? { githubUser: a.github_user } : {}),
    })),
    cite: m.cite.map((c) => ({ text: c.text, ...(c.doi ? { doi: c.doi } : {}), ...(c.url ? { url: c.url } : {}) })),
    tags: m.tags,
    ...(m.documentation ? { documentation: m.documentation } : {}),
    covers: m.covers,
    ...(m.version !== undefined ? { version: String(m.version) } : {}),
    weights: Object.fromEntries(
      Object.entries(m.weights).map(([k, w]) => [
        k,
        { source: w.source, ...(w.sha256 ? { sha256: w.sha256 } : {}), ...(w.opset_version ? { opsetVersion: w.opset_version } : {}) },
      ]),
    ),
    config: m.config,
    reproducibilityTolerance: tolerances(m.config),
  };
}

function tolerances(config: Record<string, unknown>): Tolerance[] {
  const bio = config.bioimageio as Record<string, unknown> | undefined;
  const list = Array.isArray(bio?.reproducibility_tolerance) ? (bio.reproducibility_tolerance as Record<string, unknown>[]) : [];
  return list.map((t) => ({
    relative: typeof t.relative_tolerance === "number" ? t.relative_tolerance : DEFAULT_TOLERANCE.relative,
    absolute: typeof t.absolute_tolerance === "number" ? t.absolute_tolerance : DEFAULT_TOLERANCE.absolute,
    mismatchedPerMillion:
      typeof t.mismatched_elements_per_million === "number" ? t.mismatched_elements_per_million : DEFAULT_TOLERANCE.mismatchedPerMillion,
    outputIds: Array.isArray(t.output_ids) ? t.output_ids.map(String) : [],
    weightsFormats: Array.isArray(t.weights_formats) ? t.weights_formats.map(String) : [],
  }));
}

// ---------------------------------------------------------------- 0.5

const DEFAULT_AXIS_ID: Record<AxisType, string> = { batch: "batch", channel: "channel", index: "index", space: "x", time: "time" };

function from05(m: z.output<typeof model05>, where: string): ModelDescription {
  const tensors = [...m.inputs, ...m.outputs];
  const axisScale = (tensorId: string, axisId: string) => {
    const t = tensors.find((x) => x.id === tensorId);
    return t?.axes.find((a) => (a.id ?? DEFAULT_AXIS_ID[a.type]) === axisId)?.scale ?? 1;
  };
  const tensor = (t: z.output<typeof tensor05>, role: "inputs" | "outputs", i: number): TensorDescription => {
    const at = `${where}: ${role}[${i}]`;
    const axes = t.axes.map((a, j): Axis => {
      const id = a.id ?? DEFAULT_AXIS_ID[a.type];
      const s = a.size;
      let size: AxisSize;
      if (typeof s === "number") size = { kind: "fixed", value: s };
      else if (s && typeof s.min === "number") size = { kind: "parameterized", min: s.min, step: s.step as number };
      else if (s && typeof s.tensor_id === "string") {
        const r = s as { tensor_id: string; axis_id: string; offset?: number };
        const ratio = axisScale(r.tensor_id, r.axis_id) / (a.scale ?? 1);
        size = { kind: "reference", tensorId: r.tensor_id, axisId: r.axis_id, offset: r.offset ?? 0, scale: ratio };
      } else if (a.type === "channel") size = { kind: "fixed", value: a.channel_names?.length ?? 1 };
      else size = { kind: a.type === "batch" ? "any" : "any" };
      if (a.type === "channel" && !a.channel_names)
        throw invalidMetadata("a channel axis needs channel_names", { where: `${at}.axes[${j}]` });
      return {
        id,
        type: a.type,
        size,
        halo: a.halo ?? 0,
        ...(a.channel_names ? { channelNames: a.channel_names } : {}),
        ...(a.scale !== undefined ? { scale: a.scale } : {}),
        ...(typeof a.unit === "string" ? { unit: a.unit } : {}),
      };
    });
    const data = t.data && !Array.isArray(t.data) ? t.data : undefined;
    const steps = role === "inputs" ? t.preprocessing : t.postprocessing;
    return {
      id: t.id,
      description: t.description,
      axes,
      dataType: data?.type ?? "float32",
      ...(data?.range ? { dataRange: range(data.range) } : {}),
      processing: steps.map((p, k) => step05(p, `${at}.${role === "inputs" ? "preprocessing" : "postprocessing"}[${k}]`)),
      ...(t.test_tensor ? { testTensor: ref(t.test_tensor) } : {}),
      ...(t.sample_tensor ? { sampleTensor: ref(t.sample_tensor) } : {}),
    };
  };
  return {
    ...commonFields(m),
    inputs: m.inputs.map((t, i) => tensor(t, "inputs", i)),
    outputs: m.outputs.map((t, i) => tensor(t, "outputs", i)),
  };
}

/** A data range with open ends (null, ±inf) as null. */
const range = (r: unknown[]): [number | null, number | null] => {
  const end = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  return [end(r[0]), end(r[1])];
};

const ref = (f: { source: string; sha256?: string | undefined }): FileRef => ({
  source: f.source,
  ...(f.sha256 ? { sha256: f.sha256 } : {}),
});

type Kwargs = Record<string, unknown>;

function kwNumber(kw: Kwargs, key: string, def: number | null, where: string): number | null {
  const v = kw[key];
  if (v === undefined || v === null) return def;
  if (typeof v !== "number" || !Number.isFinite(v)) throw invalidMetadata(`kwargs.${key} must be a finite number`, { where });
  return v;
}
function kwValues(kw: Kwargs, key: string, axis: unknown, def: number | undefined, where: string): AxisValues {
  const v = kw[key];
  if (v === undefined || v === null) {
    if (def === undefined) throw invalidMetadata(`kwargs.${key} is missing`, { where });
    return def;
  }
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number" && Number.isFinite(x))) {
    if (v.length === 1) return v[0] as number;
    return { axis: typeof axis === "string" ? axis : "channel", values: v as number[] };
  }
  throw invalidMetadata(`kwargs.${key} must be a number or a list of numbers`, { where });
}
function kwAxes(kw: Kwargs, where: string): StatAxes {
  const a = kw.axes;
  if (a === undefined || a === null) return null;
  if (Array.isArray(a) && a.every((x) => typeof x === "string")) return a as string[];
  throw invalidMetadata("kwargs.axes must be a list of axis ids", { where });
}
function percentile(kw: Kwargs, key: string, def: number | null, lo: number, hi: number, where: string): number | null {
  const v = kwNumber(kw, key, def, where);
  if (v !== null && !(v >= lo && v <= hi)) throw invalidMetadata(`kwargs.${key} ${v} is out of range`, { where, allowed: `${lo}..${hi}` });
  return v;
}
function eps(kw: Kwargs, where: string): number {
  const e = kwNumber(kw, "eps", 1e-6, where)!;
  if (!(e > 0 && e <= 0.1)) throw invalidMetadata(`kwargs.eps ${e} is out of range`, { where, allowed: "0 < eps <= 0.1" });
  return e;
}

const KNOWN_STEPS =
  "ensure_dtype, scale_linear, fixed_zero_mean_unit_variance, zero_mean_unit_variance, scale_range, clip, sigmoid, softmax, binarize, scale_mean_variance";

/** One 0.5 processing step (also used for 0.4 steps after renaming their kwargs). */
function step05(p: z.output<typeof procStep>, where: string): ProcessingStep {
  const id = p.id ?? p.name ?? "";
  const kw: Kwargs = p.kwargs ?? {};
  switch (id) {
    case "ensure_dtype":
      return { id, dtype: String(kw.dtype ?? "float32") };
    case "scale_linear":
      return { id, gain: kwValues(kw, "gain", kw.axis, 1, where), offset: kwValues(kw, "offset", kw.axis, 0, where) };
    case "fixed_zero_mean_unit_variance":
      return { id, mean: kwValues(kw, "mean", kw.axis, undefined, where), std: kwValues(kw, "std", kw.axis, undefined, where), eps: 1e-6 };
    case "zero_mean_unit_variance":
      return { id, axes: kwAxes(kw, where), eps: eps(kw, where), mode: "per_sample" };
    case "scale_range": {
      const minPercentile = percentile(kw, "min_percentile", 0, 0, 100, where)!;
      const maxPercentile = percentile(kw, "max_percentile", 100, 0, 100, where)!;
      if (!(minPercentile < maxPercentile))
        throw invalidMetadata(`min_percentile ${minPercentile} is not below max_percentile ${maxPercentile}`, { where });
      return {
        id,
        axes: kwAxes(kw, where),
        minPercentile,
        maxPercentile,
        eps: eps(kw, where),
        referenceTensor: typeof kw.reference_tensor === "string" ? kw.reference_tensor : null,
        mode: "per_sample",
      };
    }
    case "clip": {
      const step = {
        id,
        min: kwNumber(kw, "min", null, where),
        max: kwNumber(kw, "max", null, where),
        minPercentile: percentile(kw, "min_percentile", null, 0, 100, where),
        maxPercentile: percentile(kw, "max_percentile", null, 0, 100, where),
        axes: kwAxes(kw, where),
      } as const;
      if (step.min === null && step.max === null && step.minPercentile === null && step.maxPercentile === null)
        throw invalidMetadata("clip needs a min or a max", { where });
      if (step.min !== null && step.minPercentile !== null) throw invalidMetadata("clip has both min and min_percentile", { where });
      if (step.max !== null && step.maxPercentile !== null) throw invalidMetadata("clip has both max and max_percentile", { where });
      return step;
    }
    case "sigmoid":
      return { id };
    case "softmax":
      return { id, axis: typeof kw.axis === "string" ? kw.axis : "channel" };
    case "binarize":
      return { id, threshold: kwValues(kw, "threshold", kw.axis, undefined, where) };
    case "scale_mean_variance":
      return { id, referenceTensor: String(kw.reference_tensor ?? ""), axes: kwAxes(kw, where), eps: eps(kw, where) };
    default:
      throw unsupported(`unknown processing step ${JSON.stringify(id)}`, { where, allowed: KNOWN_STEPS });
  }
}

// ---------------------------------------------------------------- 0.4

const LETTER: Record<string, { id: string; type: AxisType }> = {
  b: { id: "batch", type: "batch" },
  i: { id: "index", type: "index" },
  t: { id: "time", type: "time" },
  c: { id: "channel", type: "channel" },
  z: { id: "z", type: "space" },
  y: { id: "y", type: "space" },
  x: { id: "x", type: "space" },
};

const axisIdOf = (letter: string) => LETTER[letter]?.id ?? letter;

function from04(m: z.output<typeof model04>, where: string): ModelDescription {
  const lettersOf = (name: string) => [...m.inputs, ...m.outputs].find((t) => t.name === name)?.axes ?? "";
  const tensor = (
    t: z.output<typeof tensor04>,
    role: "inputs" | "outputs",
    i: number,
    test: string | undefined,
    sample: string | undefined,
  ): TensorDescription => {
    const at = `${where}: ${role}[${i}]`;
    const letters = [...t.axes];
    const shape = t.shape;
    if (Array.isArray(shape) && shape.length !== letters.length)
      throw invalidMetadata(`shape has ${shape.length} entries for axes '${t.axes}'`, { where: `${at}.shape` });
    const axes = letters.map((l, j): Axis => {
      let size: AxisSize;
      if (Array.isArray(shape)) size = { kind: "fixed", value: shape[j]! };
      else if (Array.isArray(shape.min)) {
        const p = shape as { min: number[]; step: number[] };
        const step = p.step[j] ?? 0;
        size = step === 0 ? { kind: "fixed", value: p.min[j]! } : { kind: "parameterized", min: p.min[j]!, step };
      } else {
        const r = shape as { reference_tensor: string; scale: number[]; offset: number[] };
        const scale = r.scale[j] ?? 1;
        const offset = r.offset[j] ?? 0;
        const refLetter = lettersOf(r.reference_tensor)[j] ?? l;
        size =
          scale === 0
            ? { kind: "fixed", value: Math.round(2 * offset) }
            : { kind: "reference", tensorId: r.reference_tensor, axisId: axisIdOf(refLetter), offset: 2 * offset, scale };
      }
      const { id, type } = LETTER[l]!;
      const channels = size.kind === "fixed" ? size.value : undefined;
      return {
        id,
        type,
        size,
        halo: t.halo?.[j] ?? 0,
        ...(type === "channel" ? { channelNames: channelNames04(t.name, channels ?? 1) } : {}),
      };
    });
    const steps = role === "inputs" ? t.preprocessing : t.postprocessing;
    return {
      id: t.name,
      description: t.description,
      axes,
      dataType: t.data_type,
      ...(t.data_range ? { dataRange: range(t.data_range) } : {}),
      processing: steps.map((p, k) => step04(p, letters, `${at}.${role === "inputs" ? "preprocessing" : "postprocessing"}[${k}]`)),
      ...(test ? { testTensor: { source: test } } : {}),
      ...(sample ? { sampleTensor: { source: sample } } : {}),
    };
  };
  return {
    ...commonFields(m),
    inputs: m.inputs.map((t, i) => tensor(t, "inputs", i, m.test_inputs[i], m.sample_inputs?.[i])),
    outputs: m.outputs.map((t, i) => tensor(t, "outputs", i, m.test_outputs[i], undefined)),
  };
}

function channelNames04(tensorName: string, n: number): string[] {
  return n === 1 ? [tensorName] : Array.from({ length: n }, (_, i) => `${tensorName}${i}`);
}

/** A 0.4 step (`name`, `kwargs.mode`, letter axes) in 0.5 terms. */
function step04(p: z.output<typeof procStep>, tensorLetters: string[], where: string): ProcessingStep {
  const name = p.name ?? p.id ?? "";
  const kw: Kwargs = { ...(p.kwargs ?? {}) };
  const mode = kw.mode;
  const axes = typeof kw.axes === "string" ? [...kw.axes].map(axisIdOf) : undefined;
  delete kw.mode;
  if (axes) kw.axes = axes;
  const listAxis = tensorLetters.includes("c") ? "channel" : undefined;
  if (name === "zero_mean_unit_variance" && mode === "fixed") {
    return step05({ id: "fixed_zero_mean_unit_variance", kwargs: { mean: kw.mean, std: kw.std, axis: listAxis } }, where);
  }
  if (
    (name === "zero_mean_unit_variance" || name === "scale_range") &&
    mode !== undefined &&
    mode !== "per_sample" &&
    mode !== "per_dataset"
  ) {
    throw invalidMetadata(`kwargs.mode ${JSON.stringify(mode)} is not known`, { where, allowed: "fixed, per_sample, per_dataset" });
  }
  if (name === "scale_linear" || name === "binarize") kw.axis = listAxis;
  const step = step05({ id: name, kwargs: kw }, where);
  if ((step.id === "zero_mean_unit_variance" || step.id === "scale_range") && mode === "per_dataset")
    return { ...step, mode: "per_dataset" };
  return step;
}
