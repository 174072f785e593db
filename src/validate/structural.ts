/**
 * Structural validation: does a model file follow ZEN's ANN model rules (docs/formats.md#model-rules)?
 *
 * Works on a `ValidationSubject`, a flat description of the file (metadata facts plus the
 * payload's inputs/outputs), so the same rules apply to .czann, .czmodel/.czseg, a model
 * about to be packed, and the browser page. Fixes czmodel's gaps: MinOverlap is checked per
 * spatial dim and for evenness, classes against output channels, symbolic dims only where
 * the metadata fixes the size, and the opset against the target ZEN version. The rules shared
 * with `validate --run` and `predict` (output spatial size, one-channel segmentation, per-image
 * statistics) are worded in `zen-rules.ts`; when a shape looks channels-first, the first error
 * about shapes or channel counts says so (or, if there is none, an `input-layout` error).
 * Isomorphic.
 */
import { TILE_LIMITS_TEXT, tileTooLarge } from "../metadata/tile-limits.js";
import { isPixelType, isSegmentationType, PIXEL_TYPE_INFO, type ModelType } from "../metadata/enums.js";
import type { ImageStatistic } from "../onnx/image-statistics.js";
import { channelsFirstHint, looksChannelsFirst } from "../onnx/layout-guess.js";
import { FindingList, makeReport, type ValidationReport } from "./findings.js";
import { DEFAULT_TARGET, RUNTIME_MAX_IR, RUNTIME_MAX_OPSET, TARGET_RULES, type Target } from "./targets.js";
import { imageStatisticsProblem, oneChannelSegmentationProblem, outputSpatialProblem } from "./zen-rules.js";

type Dim = number | string | null;

interface TensorFacts {
  name: string;
  type: string;
  shape: Dim[];
}

export interface ValidationSubject {
  format: "czann" | "czmodel";
  /** CZANN `Type`; legacy files are semantic segmentation (no Type in the XML). */
  modelType?: string;
  /** CZANN InputShape/OutputShape (no batch dim). */
  inputShape?: number[];
  outputShape?: number[];
  minOverlap?: number[];
  /** Class names (CZANN `Classes`, legacy `TrainingClasses`). */
  classes?: string[];
  /** Legacy `BorderSize` (per side); null when the XML has none. */
  borderSize?: number | null;
  /** Legacy tile size from `TotalTileHeight`/`TotalTileWidth`, when the XML has them. */
  legacyTile?: [number, number];
  /** Legacy `PixelType`s, in channel order. */
  pixelTypes?: string[];
  payloadKind: "onnx" | "savedmodel" | "pickle" | "unknown";
  /** ONNX facts when the payload is ONNX. */
  onnx?: { irVersion: number; defaultOpset: number; inputs: TensorFacts[]; outputs: TensorFacts[] };
  /** SavedModel serving signature when the payload is a zipped SavedModel and it could be read. */
  savedModel?: { inputs: TensorFacts[]; outputs: TensorFacts[] };
  /** Why an ONNX payload could not be parsed (then `onnx` is absent): ZEN cannot load it either. */
  onnxFailure?: string;
  /** Warnings the reader already raised (e.g. missing BorderSize, id mismatch). */
  readerWarnings?: string[];
  /** ONNX nodes that compute statistics over the image (`findImageStatistics`). */
  imageStatistics?: ImageStatistic[];
}

/**
 * Whether the segmentation rules (Classes present, one output channel per class) apply: the
 * four segmentation `Type`s, and a subject without a Type (legacy files are segmentation).
 */
function segmentationRulesApply(type: string | undefined): boolean {
  return type === undefined || isSegmentationType(type as ModelType);
}

/** Channels per legacy PixelType (docs/formats.md#pixel-types-and-colour-handling); 1 for a name the table lacks. */
function pixelTypeChannels(pixelType: string): number {
  return isPixelType(pixelType) ? PIXEL_TYPE_INFO[pixelType].samples : 1;
}

export function validateStructure(subject: ValidationSubject, target: Target = DEFAULT_TARGET): ValidationReport {
  const f = new FindingList();
  for (const w of subject.readerWarnings ?? []) f.warning("reader", w);

  checkTargetFormat(subject, target, f);
  if (subject.format === "czann") checkCzannMetadata(subject, f);
  else checkLegacyMetadata(subject, f);

  switch (subject.payloadKind) {
    case "onnx":
      if (!subject.onnx) {
        const reason = subject.onnxFailure ?? "unknown reason";
        f.error("onnx-unreadable", `the ONNX model cannot be parsed: ${reason}`, "model payload");
      } else {
        checkOnnxVersions(subject.onnx, target, f);
        checkIo(subject, subject.onnx, "ONNX", f);
      }
      if (subject.imageStatistics?.length) f.warning("image-statistics", imageStatisticsProblem(subject.imageStatistics, tileOf(subject)));
      break;
    case "savedmodel":
      f.warning(
        "savedmodel-payload",
        "the model is a zipped TensorFlow SavedModel, not ONNX: ZEN 3.x runs only ONNX models; convert it with tf2onnx (opset 12) and pack the .onnx",
      );
      if (subject.savedModel) checkIo(subject, subject.savedModel, "SavedModel", f);
      break;
    case "pickle":
      if (subject.format === "czann") {
        f.error(
          "pickle-payload",
          "the model entry is a Python pickle (a ZEN random-forest classifier): a .czann holds an ONNX network",
          "model payload",
        );
        break;
      }
      f.warning(
        "pickle-payload",
        "the model is a ZEN random-forest classifier (Python pickle), not a deep-learning model: its network cannot be checked",
      );
      break;
    case "unknown":
      f.error("unknown-payload", "the model entry is neither ONNX nor a zipped SavedModel", "model payload");
      break;
  }
  addChannelsFirstHint(subject, f);
  return makeReport(f.items);
}

function checkTargetFormat(s: ValidationSubject, target: Target, f: FindingList): void {
  const rules = TARGET_RULES[target];
  if (s.format === "czann" && rules.readsCzann === "core-only") {
    f.warning(
      "format-target",
      `${rules.label}: .czann files are read by ZEN core 3.4 but need ZEN blue >= 3.5; pack with --format czmodel for ZEN blue 3.4`,
    );
  }
  if (s.format === "czann" && (s.inputShape?.length ?? 3) === 4 && !rules.reads3d) {
    f.error(
      "3d-target",
      `${rules.label} does not read 3-D models (InputShape [Z, H, W, C]); they need ZEN >= 3.13`,
      "model.json: InputShape",
    );
  }
}

function checkCzannMetadata(s: ValidationSubject, f: FindingList): void {
  const input = s.inputShape ?? [];
  const output = s.outputShape ?? [];
  const spatial = input.slice(0, -1);
  if (s.minOverlap) {
    if (s.minOverlap.length !== spatial.length) {
      f.error(
        "min-overlap-length",
        `MinOverlap has ${s.minOverlap.length} value(s) but InputShape ${fmt(input)} has ${spatial.length} spatial dims: give one even value per spatial dim`,
        "model.json: MinOverlap",
      );
    }
    s.minOverlap.forEach((v, i) => {
      if (v % 2 !== 0)
        f.error("min-overlap-odd", `MinOverlap[${i}] = ${v} is odd (allowed: an even integer >= 0)`, "model.json: MinOverlap");
      const tile = spatial[i];
      if (tile !== undefined && v >= tile) {
        f.error("min-overlap-too-large", `MinOverlap[${i}] = ${v} is not smaller than the tile size ${tile}`, "model.json: MinOverlap");
      }
    });
  } else {
    f.warning(
      "min-overlap-missing",
      "no MinOverlap: tiles will be stitched without context borders (seams likely)",
      "model.json: MinOverlap",
    );
  }
  if (segmentationRulesApply(s.modelType)) {
    const k = output[output.length - 1];
    if (!s.classes) f.error("classes-missing", `${s.modelType} models need Classes (one name per output channel)`, "model.json: Classes");
    if (k === 1) f.error("output-one-channel", oneChannelSegmentationProblem(fmt(output)), "model.json: OutputShape");
    else if (s.classes && k !== undefined && s.classes.length !== k) {
      f.error("classes-count", `${s.classes.length} classes but OutputShape ${fmt(output)} has ${k} channels`, "model.json: Classes");
    }
  }
  const problem = input.length && output.length ? outputSpatialProblem(spatial, output.slice(0, -1)) : undefined;
  if (problem) f.error("output-spatial", problem, "model.json: OutputShape");
}

function checkLegacyMetadata(s: ValidationSubject, f: FindingList): void {
  const readerSaidIt = (s.readerWarnings ?? []).some((w) => /BorderSize/.test(w));
  if ((s.borderSize === null || s.borderSize === undefined) && !readerSaidIt) {
    f.warning(
      "border-missing",
      "no BorderSize in the XML: give the border with --border when predicting (ZEN files may omit it)",
      "XML: BorderSize",
    );
  }
  if (!s.classes || s.classes.length < 2) {
    f.error("classes-count", `a segmentation model needs at least 2 classes, found ${s.classes?.length ?? 0}`, "XML: TrainingClasses");
  }
  if (!s.pixelTypes || s.pixelTypes.length === 0) f.error("pixel-type-missing", "no Channels/Item PixelType", "XML: Channels");
}

function checkOnnxVersions(onnx: NonNullable<ValidationSubject["onnx"]>, target: Target, f: FindingList): void {
  const rules = TARGET_RULES[target];
  if (onnx.irVersion > RUNTIME_MAX_IR) {
    f.error(
      "ir-too-new",
      `ONNX IR version ${onnx.irVersion} cannot be loaded by ONNX Runtime (allowed: IR <= ${RUNTIME_MAX_IR})`,
      "ONNX ir_version",
    );
  } else if (onnx.irVersion > rules.adviseIr) {
    f.warning(
      "ir-newer-than-zen",
      `ONNX IR version ${onnx.irVersion} is newer than what ${rules.label} models use (IR ${rules.adviseIr}); ZEN's runtime may refuse it`,
      "ONNX ir_version",
    );
  }
  if (onnx.defaultOpset > RUNTIME_MAX_OPSET) {
    f.error(
      "opset-unloadable",
      `opset ${onnx.defaultOpset} cannot be loaded by ONNX Runtime (allowed: <= ${RUNTIME_MAX_OPSET})`,
      "ONNX opset_import",
    );
  } else if (onnx.defaultOpset > rules.specOpset) {
    const text = `opset ${onnx.defaultOpset} is above the ZEN model spec's opset ${rules.specOpset}${rules.strictOpset ? "" : `; support in ${rules.label} is unverified`}: re-export with opset ${rules.specOpset}`;
    if (rules.strictOpset) f.error("opset-too-new", `${rules.label}: ${text}`, "ONNX opset_import");
    else f.warning("opset-too-new", text, "ONNX opset_import");
  }
}

function checkIo(s: ValidationSubject, io: { inputs: TensorFacts[]; outputs: TensorFacts[] }, kind: string, f: FindingList): void {
  if (io.inputs.length !== 1) {
    f.error(
      "input-count",
      `the ${kind} model has ${io.inputs.length} inputs (${io.inputs.map((t) => t.name).join(", ")}); ZEN needs exactly one`,
      `${kind} inputs`,
    );
  }
  if (io.outputs.length !== 1) {
    f.error(
      "output-count",
      `the ${kind} model has ${io.outputs.length} outputs (${io.outputs.map((t) => t.name).join(", ")}); ZEN needs exactly one`,
      `${kind} outputs`,
    );
  }
  const input = io.inputs[0];
  const output = io.outputs[0];
  if (!input || !output) return;
  const is3d = s.format === "czann" && s.inputShape?.length === 4;
  const rank = is3d ? 5 : 4;
  for (const [t, role] of [
    [input, "input"],
    [output, "output"],
  ] as const) {
    const where = `${kind} ${role} "${t.name}"`;
    if (t.shape.length !== rank) {
      f.error(`${role}-rank`, `shape ${fmtDims(t.shape)} has rank ${t.shape.length}; expected ${rank} (${is3d ? "NDHWC" : "NHWC"})`, where);
      continue;
    }
    const impossible = t.shape.filter((d) => typeof d === "number" && (d === 0 || d < -1));
    if (impossible.length > 0) {
      f.error(
        `${role}-dims`,
        `shape ${fmtDims(t.shape)} has impossible dims (${impossible.join(", ")}); a tensor dim is a positive size or dynamic`,
        where,
      );
      continue;
    }
    const fixedSpatial = t.shape.slice(1, -1).filter((d): d is number => typeof d === "number" && d > 0);
    if (tileTooLarge(fixedSpatial)) {
      f.error(`${role}-dims`, `shape ${fmtDims(t.shape)} is larger than any tile can be (allowed: ${TILE_LIMITS_TEXT})`, where);
      continue;
    }
    const batch = t.shape[0];
    if (typeof batch === "number" && batch !== 1 && batch > 0)
      f.error(`${role}-batch`, `batch dim is ${batch}; ZEN needs 1 or dynamic`, where);
    if (t.type !== "float32") f.error(`${role}-type`, `element type is ${t.type}; ZEN feeds and reads float32`, where);
  }
  if (s.format === "czann") {
    compareShape(input, s.inputShape, "InputShape", kind, f);
    compareShape(output, s.outputShape, "OutputShape", kind, f);
  } else {
    checkLegacyIo(s, input, output, kind, f);
  }
  const spatial =
    input.shape.length === rank && output.shape.length === rank
      ? outputSpatialProblem(input.shape.slice(1, -1), output.shape.slice(1, -1))
      : undefined;
  if (spatial && !f.items.some((x) => x.code === "output-spatial")) f.error("output-spatial", spatial, `${kind} output "${output.name}"`);
}

function compareShape(t: TensorFacts, meta: number[] | undefined, field: string, kind: string, f: FindingList): void {
  if (!meta || t.shape.length !== meta.length + 1) {
    if (meta)
      f.error(
        "shape-rank",
        `${kind} shape ${fmtDims(t.shape)} does not match ${field} ${fmt(meta)} (rank ${t.shape.length - 1} vs ${meta.length} without batch)`,
        `model.json: ${field}`,
      );
    return;
  }
  meta.forEach((m, i) => {
    const d = t.shape[i + 1];
    if (typeof d === "number" && d > 0 && d !== m) {
      f.error(
        "shape-mismatch",
        `${field} ${fmt(meta)} does not match the ${kind} model's ${fmtDims(t.shape)} (dim ${i + 1}: ${m} vs ${d})`,
        `model.json: ${field}`,
      );
    }
  });
}

function checkLegacyIo(s: ValidationSubject, input: TensorFacts, output: TensorFacts, kind: string, f: FindingList): void {
  const [, h, w, c] = input.shape;
  const fixed = (d: Dim | undefined): d is number => typeof d === "number" && d > 0;
  if (!fixed(h) || !fixed(w)) {
    if (s.legacyTile)
      f.info("legacy-tile", `spatial dims are dynamic; the XML's TotalTileHeight/Width ${s.legacyTile.join("x")} define the tile`);
    else
      f.error(
        "legacy-dynamic-spatial",
        `legacy models must define all spatial dimensions, but the ${kind} input is ${fmtDims(input.shape)} (pack with --spatial-dims H,W)`,
        `${kind} input "${input.name}"`,
      );
  }
  const tile = fixed(h) && fixed(w) ? Math.min(h, w) : s.legacyTile ? Math.min(...s.legacyTile) : undefined;
  if (tile !== undefined && typeof s.borderSize === "number" && 2 * s.borderSize >= tile) {
    f.error("border-too-large", `BorderSize ${s.borderSize} must be less than half the tile size ${tile}`, "XML: BorderSize");
  }
  if (s.pixelTypes && fixed(c)) {
    const channels = s.pixelTypes.reduce((n, p) => n + pixelTypeChannels(p), 0);
    if (channels !== c)
      f.error(
        "pixel-type-channels",
        `PixelType ${s.pixelTypes.join(", ")} gives ${channels} channel(s) but the model input has ${c}`,
        "XML: Channels",
      );
  }
  const k = output.shape[3];
  if (k === 1)
    f.error(
      "output-one-channel",
      oneChannelSegmentationProblem(`the ${kind} output ${fmtDims(output.shape)}`),
      `${kind} output "${output.name}"`,
    );
  else if (s.classes && fixed(k) && s.classes.length !== k) {
    f.error(
      "classes-count",
      `${s.classes.length} classes but the ${kind} output ${fmtDims(output.shape)} has ${k} channels`,
      "XML: TrainingClasses",
    );
  }
}

/** Findings about shapes and channel counts that a channels-first model explains. */
const SHAPE_CODES = new Set([
  "classes-count",
  "output-one-channel",
  "output-spatial",
  "shape-mismatch",
  "shape-rank",
  "input-rank",
  "output-rank",
  "pixel-type-channels",
]);

/**
 * When the payload's input/output or the metadata shapes look channels-first, say so once: on the
 * first error about shapes or channel counts, or as an `input-layout` error when there is none
 * and the model input looks channels-first.
 */
function addChannelsFirstHint(s: ValidationSubject, f: FindingList): void {
  const io = s.onnx ?? s.savedModel;
  const kind = s.onnx ? "ONNX" : "SavedModel";
  const input = io?.inputs[0];
  const hint = channelsFirstHint(
    input?.shape,
    io?.outputs[0]?.shape,
    s.inputShape && [1, ...s.inputShape],
    s.outputShape && [1, ...s.outputShape],
  );
  if (!hint) return;
  const first = f.items.find((x) => x.severity === "error" && SHAPE_CODES.has(x.code));
  if (first) first.message += hint;
  else if (input && looksChannelsFirst(input.shape))
    f.error("input-layout", `shape ${fmtDims(input.shape)} is not NHWC${hint}`, `${kind} input "${input.name}"`);
}

/**
 * The tile in tensor order ([h, w] or [d, h, w]) when the file fixes it: CZANN InputShape;
 * legacy: the ONNX input's fixed spatial dims, else TotalTileHeight/Width.
 */
export function tileOf(s: ValidationSubject): number[] | undefined {
  if (s.format === "czann") return s.inputShape?.slice(0, -1);
  const [, h, w] = s.onnx?.inputs[0]?.shape ?? [];
  if (typeof h === "number" && h > 0 && typeof w === "number" && w > 0) return [h, w];
  return s.legacyTile;
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

function fmtDims(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
}
