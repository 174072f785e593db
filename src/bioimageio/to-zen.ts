/**
 * The ZEN reading of a bioimage.io model description: how its one input and one output map
 * onto a ZEN model file, decided before any graph is edited (`planZenImport`).
 *
 * - layout: axes `[batch, channel, y, x]` get the channels-first wrapper, `[batch, y, x,
 *   channel]` need none; z, time and index axes, and other orders, are refused;
 * - tile: the fixed input size, else `--tile` (checked against `min + n·step`), else the
 *   smallest valid size ≥ 512 per axis; dynamic ONNX dims are fixed to it;
 * - border: the output halo per side (MinOverlap = 2 × halo);
 * - output size must equal the input's (ZEN has no other); a scaled or offset output is refused;
 * - input scaling: ZEN feeds x / 255 (uint8 images) or x / 65535 (uint16) to a CZANN model and
 *   raw values to a legacy one, in BGR(A) order. The package's steps expect raw values in the
 *   image's own order, so the graph first reverses 3/4 colour channels and multiplies by that
 *   range: every constant of the package (fixed means, gains, clip bounds, eps) keeps its
 *   raw-unit meaning exactly. A leading `scale_linear` by 1/range (what an exported ZEN model
 *   declares) cancels against it;
 * - type and classes: a final sigmoid (or binarize) on one channel becomes two classes
 *   [channel, Background] via sigmoid-to-softmax-scores; a softmax over K channels K classes;
 *   K ≥ 2 channels in [0, 1] that sum to 1 on the test output are already probabilities;
 *   anything else is Regression. `--type` / `--classes` override;
 * - space-axis scale and unit → Scaling in metres; name → ModelName; description →
 *   ModelDescription.
 * Isomorphic.
 */
import { invalidArgument, invalidMetadata, unsupported } from "../errors.js";
import { MODEL_TYPES, type ModelType } from "../metadata/index.js";
import type { Axis, ModelDescription, TensorDescription } from "./description.js";
import type { NpyArray } from "./npy.js";
import { stepsToOps, usesSampleStatistics } from "./processing.js";

export type InputPixelType = "uint8" | "uint16" | "float32";
export const INPUT_PIXEL_TYPES: readonly InputPixelType[] = ["uint8", "uint16", "float32"];
const PIXEL_RANGE: Record<InputPixelType, number> = { uint8: 255, uint16: 65535, float32: 1 };

/** The tile chosen for parameterized sizes when `--tile` is not given: the smallest valid size from this on. */
const PREFERRED_TILE = 512;
/** Largest tile side accepted (ZEN tiles are at most a few thousand pixels; larger is a broken description). */
const MAX_TILE = 16384;

export interface ImportOptions {
  /** Tile `[H, W]`; must be a valid input size. */
  tile?: number[];
  pixelType?: InputPixelType;
  classes?: string[];
  type?: ModelType;
  name?: string;
  /** Output container: `czann` (ZEN scales inputs to [0, 1]) or legacy `czmodel` (raw inputs). */
  format?: "czann" | "czmodel";
  /**
   * `zen` (default): the ZEN conventions above. `package`: the package's own semantics for
   * running it directly: raw intensities in the image's channel order, outputs as the package
   * defines them (no sigmoid pair), statistics steps replaced by `fixedPre` / `fixedPost`.
   */
  mode?: "zen" | "package";
  /** Op texts replacing input/output processing steps by index (e.g. whole-image statistics as fixed values). */
  fixedPre?: ReadonlyMap<number, string[]>;
  fixedPost?: ReadonlyMap<number, string[]>;
}

/** The ZEN border: the one the package was exported with if it fits its halo, else the halo; refused when no tile centre is left. */
function chooseBorder(
  exported: [number, number] | undefined,
  halo: [number, number],
  tile: number[],
  where: string,
  notes: string[],
  warnings: string[],
): [number, number] {
  const border: [number, number] = exported?.every((b, i) => b <= halo[i]!) ? exported : halo;
  if (exported === border)
    notes.push(`border: ${border.join(", ")} (the ZEN border the package was exported with; its halo is rounded up to even)`);
  for (const [i, b] of border.entries()) {
    if (2 * b >= tile[i]!)
      throw unsupported(`halo ${b} leaves no tile centre in a ${tile[i]} tile`, { where, allowed: `halo < ${tile[i]! / 2}` });
  }
  if (border[0] === 0 && border[1] === 0)
    warnings.push("the package declares no halo: ZEN will stitch tiles without context borders (MinOverlap 0), which may show seams");
  return border;
}

/** How the ZEN model's output compares with the package's output channels. */
type OutputMapping = "same" | "first-of-pair";

export interface ZenImportPlan {
  input: TensorDescription;
  output: TensorDescription;
  channelsFirst: boolean;
  tile: [number, number];
  /** The ONNX input's spatial dims are not fixed: set them to the tile. */
  setSpatialDims: boolean;
  inputChannels: number;
  /** Channels of the package's output (before a sigmoid pair is made). */
  packageOutputChannels: number;
  pixelType: InputPixelType;
  /** What ZEN divides the input by (1: raw values). */
  inputRange: number;
  preprocessing: string[];
  postprocessing: string[];
  type: ModelType;
  classes?: string[];
  border: [number, number];
  scaling?: [number, number];
  modelName: string;
  outputMapping: OutputMapping;
  usesSampleStatistics: boolean;
  /** What was chosen and why, one line each. */
  notes: string[];
  warnings: string[];
}

const SEGMENTATION = (k: number): ModelType => (k <= 2 ? "SingleClassSemanticSegmentation" : "MultiClassSemanticSegmentation");

export function planZenImport(
  desc: ModelDescription,
  onnxInputDims: (number | string | null)[],
  testInput: NpyArray | undefined,
  testOutput: NpyArray | undefined,
  options: ImportOptions,
  where: string,
): ZenImportPlan {
  requireSingleTensors(desc, where);
  const input = desc.inputs[0]!;
  const output = desc.outputs[0]!;
  const notes: string[] = [];
  const warnings: string[] = [];
  const inLayout = layoutOf(input, `${where}: inputs[0] (${input.id})`);
  const outLayout = layoutOf(output, `${where}: outputs[0] (${output.id})`);
  if (inLayout.channelsFirst !== outLayout.channelsFirst) {
    throw unsupported("input and output have different axis orders", { where, allowed: "both channel-first or both channel-last" });
  }
  const inputChannels = channelCount(inLayout.channel, input, desc, `${where}: inputs[0]`);
  const tile = chooseTile(inLayout.y, inLayout.x, options.tile, `${where}: inputs[0]`, notes);
  checkOutputSize(output, outLayout, input, tile, `${where}: outputs[0] (${output.id})`);
  const packageOutputChannels = channelCount(outLayout.channel, output, desc, `${where}: outputs[0]`);
  const hints = czmodelHints(desc);
  const border = chooseBorder(hints.border, [outLayout.y.halo, outLayout.x.halo], tile, `${where}: outputs[0]`, notes, warnings);

  const format = options.format ?? "czann";
  const zen = options.mode !== "package";
  const pixelType = zen ? choosePixelType(options.pixelType, testInput, input, notes) : "float32";
  const inputRange = zen && format === "czann" ? PIXEL_RANGE[pixelType] : 1;
  const pre: string[] = [];
  if (zen && inputChannels === 3) pre.push("rgb-to-bgr");
  if (zen && inputChannels === 4) pre.push("rgba-to-bgra");
  if (zen && (inputChannels === 3 || inputChannels === 4))
    notes.push("colour: ZEN feeds BGR(A); the model reverses it to the package's RGB(A) first");
  const cancelled = leadingInverseScale(input, inputRange);
  if (inputRange !== 1 && cancelled === undefined) pre.push(`scale-linear=${inputRange}/0`);
  if (zen) {
    notes.push(
      format === "czann"
        ? `input: ${pixelType} images; ZEN divides them by ${inputRange}, ${cancelled !== undefined ? "which the package's own first scale_linear undoes" : `so the model multiplies by ${inputRange} first`}`
        : `input: ${pixelType} images, fed raw (legacy .czmodel)`,
    );
  }
  const fixedPre = new Map(options.fixedPre ?? []);
  if (cancelled !== undefined) fixedPre.set(cancelled, []);
  pre.push(...stepsToOps(input, "pre", `${where}: inputs[0]`, { fixed: fixedPre }));
  const post = stepsToOps(output, "post", `${where}: outputs[0]`, options.fixedPost ? { fixed: options.fixedPost } : {});

  const kind = zen ? outputKind(output, packageOutputChannels, testOutput, options, notes) : "regression";
  let classes: string[] | undefined;
  let outputMapping: OutputMapping = "same";
  let type: ModelType;
  const names = outLayout.channel.channelNames ?? [];
  if (kind === "pair") {
    post.push("sigmoid-to-softmax-scores");
    classes = [names[0] ?? output.id, "Background"];
    outputMapping = "first-of-pair";
    type = options.type ?? "SingleClassSemanticSegmentation";
  } else if (kind === "classes") {
    classes =
      names.length === packageOutputChannels ? [...names] : Array.from({ length: packageOutputChannels }, (_, i) => `Class${i + 1}`);
    type = options.type ?? SEGMENTATION(packageOutputChannels);
  } else {
    type = options.type ?? "Regression";
  }
  if (!options.classes && classes && hints.classes?.length === classes.length) classes = hints.classes;
  if (!options.type && hints.type && classes && hints.type !== "Regression") type = hints.type;
  if (options.classes) {
    if (!classes) throw invalidArgument("--classes is for segmentation models; this one imports as Regression", { where: "--classes" });
    if (options.classes.length !== classes.length) {
      throw invalidArgument(`${options.classes.length} class names for ${classes.length} classes (${classes.join(", ")})`, {
        where: "--classes",
      });
    }
    classes = options.classes;
  }
  if (format === "czmodel" && !classes)
    throw unsupported("a legacy .czmodel holds only segmentation models; this one is Regression", { where, allowed: "write a .czann" });
  if (type === "Regression" && classes) classes = undefined;
  const sampleStats = [...input.processing, ...output.processing].some(usesSampleStatistics);
  if (sampleStats && zen) {
    warnings.push(
      `the package normalises with per-sample statistics; ZEN computes them per ${tile.join("×")} tile, so on larger images results depend on the tiling (czmodel predict PACKAGE uses whole-image statistics)`,
    );
  }
  const scaling = scalingOf(inLayout, notes);
  return {
    input,
    output,
    channelsFirst: inLayout.channelsFirst,
    tile,
    setSpatialDims: !fixedSpatial(onnxInputDims, inLayout.channelsFirst, tile, where),
    inputChannels,
    packageOutputChannels,
    pixelType,
    inputRange,
    preprocessing: pre,
    postprocessing: post,
    type,
    ...(classes ? { classes } : {}),
    border,
    ...(scaling ? { scaling } : {}),
    modelName: options.name ?? hints.name ?? desc.name,
    outputMapping,
    usesSampleStatistics: sampleStats,
    notes,
    warnings,
  };
}

export function requireSingleTensors(desc: ModelDescription, where: string): void {
  if (desc.inputs.length === 1 && desc.outputs.length === 1) return;
  const list = (ts: TensorDescription[]) => ts.map((t) => t.id).join(", ");
  throw unsupported(
    `the model has ${desc.inputs.length} input(s) (${list(desc.inputs)}) and ${desc.outputs.length} output(s) (${list(desc.outputs)}); a ZEN model takes exactly one image in and gives one out`,
    { where },
  );
}

interface Layout {
  channelsFirst: boolean;
  channel: Axis;
  y: Axis;
  x: Axis;
}

function layoutOf(t: TensorDescription, where: string): Layout {
  const kinds = t.axes.map((a) => (a.type === "space" ? a.id : a.type)).join(",");
  const odd = t.axes.find((a) => a.type === "time" || a.type === "index" || (a.type === "space" && a.id !== "x" && a.id !== "y"));
  if (odd)
    throw unsupported(`axis ${odd.id} (${odd.type}): ZEN models are 2-D (y, x) with channels`, {
      where,
      allowed: "axes batch, channel, y, x",
    });
  const [, c, y, x] = t.axes;
  if (kinds === "batch,channel,y,x") return { channelsFirst: true, channel: c!, y: y!, x: x! };
  if (kinds === "batch,y,x,channel") return { channelsFirst: false, channel: x!, y: c!, x: y! };
  throw unsupported(`axes [${t.axes.map((a) => a.id).join(", ")}] cannot be mapped to ZEN's NHWC`, {
    where,
    allowed: "[batch, channel, y, x] or [batch, y, x, channel]",
  });
}

function channelCount(axis: Axis, t: TensorDescription, desc: ModelDescription, where: string): number {
  const s = axis.size;
  if (s.kind === "fixed") return s.value;
  if (s.kind === "reference") {
    const ref = [...desc.inputs, ...desc.outputs].find((x) => x.id === s.tensorId)?.axes.find((a) => a.id === s.axisId);
    if (ref?.size.kind === "fixed") return Math.round(ref.size.value * (s.scale ?? 1) + s.offset);
  }
  if (axis.channelNames) return axis.channelNames.length;
  throw unsupported(`the channel count of ${t.id} is not fixed`, { where });
}

function validSize(axis: Axis, n: number): boolean {
  const s = axis.size;
  if (s.kind === "fixed") return n === s.value;
  if (s.kind === "parameterized") return n >= s.min && (n - s.min) % s.step === 0;
  return s.kind === "any" && n >= 1;
}

function chooseTile(y: Axis, x: Axis, requested: number[] | undefined, where: string, notes: string[]): [number, number] {
  const axes = [y, x];
  if (requested) {
    if (requested.length !== 2) throw invalidArgument(`--tile needs 2 values (H,W), got ${requested.length}`, { where: "--tile" });
    axes.forEach((a, i) => {
      if (!validSize(a, requested[i]!))
        throw invalidArgument(`${requested[i]} is not a valid size of axis ${a.id} (${describeSize(a)})`, { where: "--tile" });
    });
    notes.push(`tile: ${requested.join("×")} (--tile)`);
    return [requested[0]!, requested[1]!];
  }
  const tile = axes.map((a) => {
    const s = a.size;
    if (s.kind === "fixed") return s.value;
    if (s.kind === "parameterized") return s.min >= PREFERRED_TILE ? s.min : s.min + Math.ceil((PREFERRED_TILE - s.min) / s.step) * s.step;
    throw unsupported(`axis ${a.id} has no fixed or parameterized size`, { where, allowed: "give the tile with --tile H,W" });
  }) as [number, number];
  tile.forEach((t, i) => {
    if (t > MAX_TILE)
      throw unsupported(`axis ${axes[i]!.id} needs a tile of ${t} pixels`, {
        where,
        allowed: `tiles up to ${MAX_TILE}; give a smaller valid --tile`,
      });
  });
  const param = axes.some((a) => a.size.kind === "parameterized");
  notes.push(
    `tile: ${tile.join("×")} (${param ? `the smallest valid size ≥ ${PREFERRED_TILE}; valid: ${axes.map(describeSize).join(" × ")}` : "the package's fixed input size"})`,
  );
  return tile;
}

function describeSize(a: Axis): string {
  const s = a.size;
  if (s.kind === "fixed") return String(s.value);
  if (s.kind === "parameterized") return `${s.min} + n·${s.step}`;
  return "any";
}

function checkOutputSize(output: TensorDescription, layout: Layout, input: TensorDescription, tile: [number, number], where: string): void {
  [layout.y, layout.x].forEach((a, i) => {
    const s = a.size;
    const same =
      (s.kind === "reference" && s.tensorId === input.id && s.axisId === a.id && (s.scale ?? 1) === 1 && s.offset === 0) ||
      (s.kind === "fixed" && s.value === tile[i]);
    if (!same) {
      const what =
        s.kind === "reference"
          ? `${s.scale ?? 1} × ${s.tensorId}.${s.axisId} + ${s.offset}`
          : s.kind === "fixed"
            ? String(s.value)
            : "not fixed";
      throw unsupported(`output axis ${a.id} has size ${what}, not the input's ${tile[i]}: ZEN needs outputs of the input's spatial size`, {
        where,
      });
    }
  });
  void output;
}

/** A float test input holding whole numbers in 0..255 / 0..65535 came from 8/16-bit images. */
function choosePixelType(
  requested: InputPixelType | undefined,
  test: NpyArray | undefined,
  input: TensorDescription,
  notes: string[],
): InputPixelType {
  if (requested) {
    notes.push(`pixel type: ${requested} (--pixel-type)`);
    return requested;
  }
  if (test) {
    let min = Infinity;
    let max = -Infinity;
    let whole = true;
    for (let i = 0; i < test.data.length; i++) {
      const v = test.data[i] as number;
      if (v < min) min = v;
      if (v > max) max = v;
      if (whole && !Number.isInteger(v)) whole = false;
    }
    const type: InputPixelType =
      test.dtype === "uint8"
        ? "uint8"
        : test.dtype === "uint16"
          ? "uint16"
          : whole && min >= 0 && max <= 255
            ? "uint8"
            : whole && min >= 0 && max <= 65535
              ? "uint16"
              : "float32";
    notes.push(
      `pixel type: ${type} (the test input is ${test.dtype} with values ${min}..${max}${whole ? ", whole numbers" : ""}; override with --pixel-type)`,
    );
    return type;
  }
  const declared = input.dataType === "uint8" || input.dataType === "uint16" ? input.dataType : "float32";
  notes.push(`pixel type: ${declared} (the input's data type; no test input; override with --pixel-type)`);
  return declared;
}

/** Index of a first real step `scale_linear` by exactly 1/range with offset 0, if any. */
function leadingInverseScale(input: TensorDescription, range: number): number | undefined {
  if (range === 1) return undefined;
  const i = input.processing.findIndex((s) => s.id !== "ensure_dtype");
  const s = input.processing[i];
  if (s?.id !== "scale_linear" || typeof s.gain !== "number" || s.offset !== 0) return undefined;
  return Math.abs(s.gain * range - 1) < 1e-6 ? i : undefined;
}

type OutputKind = "pair" | "classes" | "regression";

function outputKind(
  output: TensorDescription,
  k: number,
  testOutput: NpyArray | undefined,
  options: ImportOptions,
  notes: string[],
): OutputKind {
  const last = [...output.processing].reverse().find((s) => s.id !== "ensure_dtype");
  const wantsSeg = options.type !== undefined && options.type !== "Regression";
  if (options.type === "Regression") {
    notes.push("type: Regression (--type)");
    return "regression";
  }
  if (last?.id === "sigmoid" || last?.id === "binarize") {
    if (k === 1) {
      notes.push(`type: segmentation, 2 classes (the output is one ${last.id} channel: p → [p, 1 − p])`);
      return "pair";
    }
    throw unsupported(`the output is ${k} independent ${last.id} channels, not class probabilities that sum to 1`, {
      where: "outputs[0]",
      allowed: "import with --type Regression to get them as float maps",
    });
  }
  if (last?.id === "softmax") {
    if (k < 2) throw unsupported("a softmax over 1 channel is always 1", { where: "outputs[0]" });
    notes.push(`type: segmentation, ${k} classes (softmax over channels)`);
    return "classes";
  }
  if (k >= 2 && testOutput && sumsToOne(testOutput, k, output)) {
    notes.push(`type: segmentation, ${k} classes (the test output's channels are probabilities summing to 1)`);
    return "classes";
  }
  if (wantsSeg) {
    notes.push(`type: ${options.type} (--type)`);
    return k === 1 ? "pair" : "classes";
  }
  notes.push("type: Regression (no sigmoid/softmax at the output)");
  return "regression";
}

function sumsToOne(t: NpyArray, k: number, output: TensorDescription): boolean {
  const cAxis = output.axes.findIndex((a) => a.type === "channel");
  const shape = t.shape;
  if (shape[cAxis] !== k) return false;
  const inner = shape.slice(cAxis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, cAxis).reduce((a, b) => a * b, 1);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const v = t.data[(o * k + c) * inner + i] as number;
        if (v < -1e-6 || v > 1 + 1e-6) return false;
        sum += v;
      }
      if (Math.abs(sum - 1) > 1e-3) return false;
    }
  }
  return true;
}

const METRES: Record<string, number> = {
  meter: 1,
  decimeter: 1e-1,
  centimeter: 1e-2,
  millimeter: 1e-3,
  micrometer: 1e-6,
  nanometer: 1e-9,
  angstrom: 1e-10,
  picometer: 1e-12,
};

function scalingOf(layout: Layout, notes: string[]): [number, number] | undefined {
  const { x, y } = layout;
  if (!x.unit || !y.unit) return undefined;
  const fx = METRES[x.unit];
  const fy = METRES[y.unit];
  if (fx === undefined || fy === undefined) {
    notes.push(`scaling: not written (unit ${x.unit}/${y.unit} is not a length ZEN uses)`);
    return undefined;
  }
  const s: [number, number] = [(x.scale ?? 1) * fx, (y.scale ?? 1) * fy];
  notes.push(`scaling: ${s[0]} m × ${s[1]} m per pixel (from the x/y axes)`);
  return s;
}

function fixedSpatial(dims: (number | string | null)[], channelsFirst: boolean, tile: [number, number], where: string): boolean {
  if (dims.length !== 4) throw invalidMetadata(`the ONNX input has rank ${dims.length}; the description has 4 axes`, { where });
  const [h, w] = channelsFirst ? [dims[2], dims[3]] : [dims[1], dims[2]];
  const fixed = typeof h === "number" && h > 0 && typeof w === "number" && w > 0;
  if (fixed && (h !== tile[0] || w !== tile[1])) {
    throw invalidMetadata(`the ONNX input is fixed at ${h}×${w}, but the tile is ${tile.join("×")}`, {
      where,
      allowed: `--tile ${h},${w}`,
    });
  }
  return fixed;
}

export function parsePixelType(text: string): InputPixelType {
  if ((INPUT_PIXEL_TYPES as readonly string[]).includes(text)) return text as InputPixelType;
  throw invalidArgument(`unknown pixel type "${text}"`, { where: "--pixel-type", allowed: INPUT_PIXEL_TYPES.join(", ") });
}

export function parseModelType(text: string): ModelType {
  if ((MODEL_TYPES as readonly string[]).includes(text)) return text as ModelType;
  throw invalidArgument(`unknown model type "${text}"`, { where: "--type", allowed: MODEL_TYPES.join(", ") });
}

interface CzmodelHints {
  border?: [number, number];
  classes?: string[];
  type?: ModelType;
  name?: string;
}

/**
 * What `export-bioimageio` recorded under `config.czmodel` about the ZEN model it came from:
 * the exact border (the rdf's halo may be rounded up to even), the original class names (the
 * rdf's channel names are identifiers), the model Type and name. Wrong-typed entries are ignored.
 */
function czmodelHints(desc: ModelDescription): CzmodelHints {
  const c = desc.config.czmodel;
  if (typeof c !== "object" || c === null) return {};
  const cfg = c as Record<string, unknown>;
  const hints: CzmodelHints = {};
  const b = cfg.border;
  if (Array.isArray(b) && b.length === 2 && b.every((v) => Number.isInteger(v) && v >= 0)) hints.border = [b[0] as number, b[1] as number];
  const classes = cfg.classes;
  if (
    Array.isArray(classes) &&
    classes.every((x) => typeof x === "object" && x !== null && typeof (x as { name?: unknown }).name === "string")
  ) {
    hints.classes = classes.map((x) => (x as { name: string }).name);
  }
  if (typeof cfg.model_type === "string" && (MODEL_TYPES as readonly string[]).includes(cfg.model_type))
    hints.type = cfg.model_type as ModelType;
  if (typeof cfg.model_name === "string" && cfg.model_name !== "") hints.name = cfg.model_name;
  return hints;
}
