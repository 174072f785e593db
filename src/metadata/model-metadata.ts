/**
 * `ModelMetadata`: the CZANN `model.json` (docs/formats.md#modeljson, docs/formats.md#json-serialisation), validated with zod.
 *
 * Reading keeps everything a re-write needs to give the same bytes: unknown keys (`extra`,
 * e.g. ZEN's `ModelDescription`) in order, and whether each `Scaling` value was written as
 * an int or a float (`[1, 1]` vs `[1.0, 1.0]`; czmodel writes floats, Python keeps what a
 * spec gave). Writing (`toJsonText`) is Python `json.dumps` of the keys in czmodel's order.
 * Checks beyond czmodel's (docs/formats.md#model-rules): Id is a UUID, Type in the enum, shapes rank 3–4 with
 * ints >= 1, MinOverlap one even int >= 0 per spatial dimension, segmentation Classes >= 2
 * and one per output channel (a 1-channel output gets the sigmoid advice, shapes that look
 * channels-first the --channels-first hint), Scaling two finite numbers > 0. Isomorphic.
 */
import { z } from "zod";
import { invalidMetadata } from "../errors.js";
import { channelsFirstHint } from "./shape-layout.js";
import { isSegmentationType, MODEL_TYPES, describeChoices, type ModelType } from "./enums.js";
import { fieldError, missingOr, showValue, valueProblem, zodIssueError } from "./issues.js";
import { parsePythonJson } from "./json-parse.js";
import { numberValue, PyFloat, pythonJsonDumps } from "./python-json.js";
import { oneChannelSegmentationProblem } from "./segmentation-advice.js";
import { decodeUtf8Text, encodeUtf8 } from "./text.js";
import { isUuid, randomUuid, UUID_ALLOWED } from "./uuid.js";

/** model.json keys in the order czmodel writes them. */
const MODEL_JSON_KEYS = ["Id", "Type", "InputShape", "OutputShape", "MinOverlap", "Classes", "ModelName", "Scaling"] as const;

export interface ModelMetadataParams {
  /** Generated (random UUID) when absent. */
  id?: string;
  type: ModelType;
  /** `[H, W, C]` or `[Z, H, W, C]`, no batch dimension. */
  inputShape: readonly number[];
  outputShape: readonly number[];
  /** Total overlap between neighbouring tiles, one even value per spatial dimension. */
  minOverlap?: readonly number[];
  classes?: readonly string[];
  modelName?: string;
  /** Pixel size `[x, y]` in metres. Written as floats. */
  scaling?: readonly [number, number];
  /** Unknown keys to write after the known ones. */
  extra?: Readonly<Record<string, unknown>>;
}

const SHAPE_ALLOWED = "3 or 4 integers >= 1 ([H, W, C] or [Z, H, W, C])";
const OVERLAP_ALLOWED = "one even integer >= 0 per spatial dimension";
const SCALING_ALLOWED = "2 finite numbers > 0 (pixel size [x, y] in metres)";

const numberLike = z.custom<number | PyFloat>((v) => typeof v === "number" || v instanceof PyFloat, {
  error: missingOr("is not a number"),
});

const shapeSchema = z
  .array(z.int({ error: missingOr("is not an integer") }).min(1, { error: "is less than 1" }), { error: missingOr("is not a list") })
  .min(3, { error: "has fewer than 3 items" })
  .max(4, { error: "has more than 4 items" });

const modelJsonSchema = z.object({
  Id: z
    .string({ error: missingOr("is not a string") })
    .refine(isUuid, { error: "is not a UUID" })
    .nullish(),
  Type: z.enum(MODEL_TYPES, { error: missingOr("is not a known model type") }),
  InputShape: shapeSchema,
  OutputShape: shapeSchema,
  MinOverlap: z
    .array(
      z
        .int({ error: missingOr("is not an integer") })
        .min(0, { error: "is negative" })
        .refine((v) => v % 2 === 0, { error: "is odd" }),
      { error: missingOr("is not a list") },
    )
    .min(1, { error: "is empty" })
    .nullish(),
  Classes: z.array(z.string({ error: "is not a string" }), { error: "is not a list" }).nullish(),
  ModelName: z.string({ error: "is not a string" }).nullish(),
  Scaling: z
    .array(
      numberLike
        .refine((v) => Number.isFinite(numberValue(v)), { error: "is not a finite number" })
        .refine((v) => numberValue(v) > 0, { error: "is not positive" }),
      { error: "is not a list" },
    )
    .length(2, { error: "does not have exactly 2 items" })
    .nullish(),
});

function allowedFor(path: ReadonlyArray<PropertyKey>): string | undefined {
  const [key, index] = path;
  const element = index !== undefined;
  switch (key) {
    case "Id":
      return UUID_ALLOWED;
    case "Type":
      return describeChoices(MODEL_TYPES);
    case "InputShape":
    case "OutputShape":
      return element ? "an integer >= 1" : SHAPE_ALLOWED;
    case "MinOverlap":
      return element ? "an even integer >= 0" : OVERLAP_ALLOWED;
    case "Classes":
      return element ? "a string" : "a list of class names";
    case "ModelName":
      return "a string";
    case "Scaling":
      return element ? "a finite number > 0" : SCALING_ALLOWED;
    default:
      return undefined;
  }
}

const KNOWN_KEYS = new Set<string>(MODEL_JSON_KEYS);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof PyFloat);
}

export class ModelMetadata {
  readonly id: string;
  readonly type: ModelType;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly minOverlap: readonly number[] | undefined;
  readonly classes: readonly string[] | undefined;
  readonly modelName: string | undefined;
  /** Pixel size `[x, y]` in metres. */
  readonly scaling: readonly [number, number] | undefined;
  /** Per `Scaling` value: true when it is written as an int (`1`), false/absent for a float (`1.0`). */
  readonly scalingIntForm: readonly [boolean, boolean] | undefined;
  /** Unknown keys (from a file or given), in order; written after the known keys. */
  readonly extra: Readonly<Record<string, unknown>>;

  private constructor(f: {
    id: string;
    type: ModelType;
    inputShape: readonly number[];
    outputShape: readonly number[];
    minOverlap?: readonly number[] | undefined;
    classes?: readonly string[] | undefined;
    modelName?: string | undefined;
    scaling?: readonly [number, number] | undefined;
    scalingIntForm?: readonly [boolean, boolean] | undefined;
    extra: Readonly<Record<string, unknown>>;
  }) {
    this.id = f.id;
    this.type = f.type;
    this.inputShape = Object.freeze([...f.inputShape]);
    this.outputShape = Object.freeze([...f.outputShape]);
    this.minOverlap = f.minOverlap ? Object.freeze([...f.minOverlap]) : undefined;
    this.classes = f.classes ? Object.freeze([...f.classes]) : undefined;
    this.modelName = f.modelName;
    this.scaling = f.scaling ? (Object.freeze([f.scaling[0], f.scaling[1]]) as readonly [number, number]) : undefined;
    this.scalingIntForm = f.scaling && f.scalingIntForm?.some(Boolean) ? f.scalingIntForm : undefined;
    this.extra = f.extra;
  }

  /** True for the four segmentation types. */
  get isSegmentation(): boolean {
    return isSegmentationType(this.type);
  }

  /** Build from parameters (validated like a read file); a missing id gets a fresh UUID. */
  static fromParams(p: ModelMetadataParams, where = "metadata", warnings?: string[]): ModelMetadata {
    const obj: Record<string, unknown> = {
      Id: p.id,
      Type: p.type,
      InputShape: p.inputShape,
      OutputShape: p.outputShape,
      MinOverlap: p.minOverlap,
      Classes: p.classes,
      ModelName: p.modelName,
      Scaling: p.scaling?.map((v) => new PyFloat(v)),
    };
    for (const [k, v] of Object.entries(p.extra ?? {})) {
      if (KNOWN_KEYS.has(k)) throw fieldError(where, `extra.${k}`, "is a known model.json key, not an extra one");
      obj[k] = v;
    }
    return ModelMetadata.fromJson(obj, where, warnings, { quietMissingId: true });
  }

  /**
   * Build from a parsed model.json object. Values may be plain numbers or `PyFloat`s (from
   * `parsePythonJson`); a plain integer in `Scaling` is kept as an int. Problems are thrown
   * as `CzmodelError`s naming `where` and the field; soft problems go to `warnings`.
   */
  static fromJson(obj: unknown, where = "model.json", warnings?: string[], options: { quietMissingId?: boolean } = {}): ModelMetadata {
    if (!isPlainObject(obj)) {
      throw invalidMetadata(`${showValue(obj)} is not a JSON object`, {
        where,
        allowed: "a JSON object with Id, Type, InputShape, OutputShape, …",
      });
    }
    const parsed = modelJsonSchema.safeParse(obj, { reportInput: true });
    if (!parsed.success) throw zodIssueError(parsed.error, where, allowedFor);
    const d = parsed.data;

    let id = d.Id ?? undefined;
    if (id === undefined) {
      id = randomUuid();
      if (!options.quietMissingId) warnings?.push(`${where}: Id: missing; generated a new one (${id})`);
    }
    const spatial = d.InputShape.length - 1;
    if (d.MinOverlap && d.MinOverlap.length !== spatial) {
      throw fieldError(
        where,
        "MinOverlap",
        valueProblem(
          d.MinOverlap,
          `has ${d.MinOverlap.length} values but InputShape ${showValue(d.InputShape)} has ${spatial} spatial dimensions`,
        ),
        OVERLAP_ALLOWED,
      );
    }
    if (d.Classes) {
      if (isSegmentationType(d.Type)) {
        const channels = d.OutputShape[d.OutputShape.length - 1] as number;
        if (channels === 1) throw fieldError(where, "OutputShape", oneChannelSegmentationProblem(showValue(d.OutputShape)));
        if (d.Classes.length < 2) {
          throw fieldError(
            where,
            "Classes",
            valueProblem(d.Classes, `has ${d.Classes.length} class`),
            "at least 2 class names for a segmentation model (background and objects)",
          );
        }
        if (d.Classes.length !== channels) {
          throw fieldError(
            where,
            "Classes",
            valueProblem(
              d.Classes,
              `has ${d.Classes.length} classes but OutputShape ${showValue(d.OutputShape)} has ${channels} channels${channelsFirstHint([1, ...d.InputShape], [1, ...d.OutputShape])}`,
            ),
            "one class name per output channel",
          );
        }
      } else if (d.Type !== "Regression" && d.Classes.length < 1) {
        throw fieldError(where, "Classes", valueProblem(d.Classes, "is empty"), "at least 1 class name");
      }
    } else if (isSegmentationType(d.Type)) {
      warnings?.push(`${where}: Classes: missing for a ${d.Type} model; ZEN needs one class name per output channel`);
    }

    const extra: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (!KNOWN_KEYS.has(k)) Object.defineProperty(extra, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    const scaling = d.Scaling ? ([numberValue(d.Scaling[0] as number), numberValue(d.Scaling[1] as number)] as const) : undefined;
    const scalingIntForm = d.Scaling
      ? (d.Scaling.map((v) => typeof v === "number" && Number.isInteger(v)) as [boolean, boolean])
      : undefined;
    return new ModelMetadata({
      id,
      type: d.Type,
      inputShape: d.InputShape,
      outputShape: d.OutputShape,
      minOverlap: d.MinOverlap ?? undefined,
      classes: d.Classes ?? undefined,
      modelName: d.ModelName ?? undefined,
      scaling,
      scalingIntForm,
      extra,
    });
  }

  /** Parse model.json text (BOM tolerated) keeping the int/float form of numbers. */
  static fromJsonText(text: string, where = "model.json", warnings?: string[]): ModelMetadata {
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    return ModelMetadata.fromJson(parsePythonJson(body, where), where, warnings);
  }

  /** Parse model.json bytes (strict UTF-8, BOM tolerated). */
  static fromBytes(bytes: Uint8Array, where = "model.json", warnings?: string[]): ModelMetadata {
    return ModelMetadata.fromJsonText(decodeUtf8Text(bytes, where), where, warnings);
  }

  /** A copy with some fields changed, validated again. `extra` and the Scaling form are kept unless replaced. */
  with(changes: Partial<ModelMetadataParams>, where = "metadata"): ModelMetadata {
    const merged = ModelMetadata.fromParams({ ...this.toParams(), ...changes }, where);
    if (changes.scaling !== undefined || !this.scalingIntForm) return merged;
    return new ModelMetadata({ ...merged, scalingIntForm: this.scalingIntForm });
  }

  /** The fields as `fromParams` takes them. */
  toParams(): ModelMetadataParams {
    return {
      id: this.id,
      type: this.type,
      inputShape: this.inputShape,
      outputShape: this.outputShape,
      ...(this.minOverlap ? { minOverlap: this.minOverlap } : {}),
      ...(this.classes ? { classes: this.classes } : {}),
      ...(this.modelName !== undefined ? { modelName: this.modelName } : {}),
      ...(this.scaling ? { scaling: this.scaling } : {}),
      extra: this.extra,
    };
  }

  /**
   * The model.json object in czmodel's key order, then the extra keys. Float values are
   * `PyFloat`s (which `JSON.stringify` writes as numbers). `includeExtra: false` gives
   * exactly what czmodel would write.
   */
  toJson(options: { includeExtra?: boolean } = {}): Record<string, unknown> {
    const out: Record<string, unknown> = {
      Id: this.id,
      Type: this.type,
      InputShape: [...this.inputShape],
      OutputShape: [...this.outputShape],
    };
    if (this.minOverlap) out.MinOverlap = [...this.minOverlap];
    if (this.classes) out.Classes = [...this.classes];
    if (this.modelName !== undefined) out.ModelName = this.modelName;
    if (this.scaling) {
      out.Scaling = this.scaling.map((v, i) => (this.scalingIntForm?.[i] ? v : new PyFloat(v)));
    }
    if (options.includeExtra ?? true) {
      for (const [k, v] of Object.entries(this.extra)) {
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
    }
    return out;
  }

  /** model.json text exactly as czmodel writes it (Python `json.dumps`, one line, no newline). */
  toJsonText(options: { includeExtra?: boolean } = {}): string {
    return pythonJsonDumps(this.toJson(options));
  }

  /** model.json as UTF-8 bytes. */
  toBytes(options: { includeExtra?: boolean } = {}): Uint8Array {
    return encodeUtf8(this.toJsonText(options));
  }
}
