/**
 * The model-run options `predict` and `submit` share (how tiles are cut, planes chosen,
 * intensities scaled, colours ordered, outputs written), their parsers, and the options
 * object they become. Per-process settings (`--threads`) and the run's own flags stay with
 * each command.
 */
import { Option, type Command } from "commander";
import type { IntensityRange, PlaneFilter } from "../engine/index.js";
import type { PredictFileOptions } from "../node-api.js";
import { invalidArgument } from "../errors.js";
import { intList, numberIn, OPTION_LIMITS, positiveInt } from "./args.js";
import { cziOtherDimensionsOption, imageOpenOptionsFrom, type ImageOpenCliOptions } from "./image-options.js";

export interface RunCliOptions extends ImageOpenCliOptions {
  output: "labels" | "probabilities" | "both";
  minConfidence?: number;
  border?: number[];
  tile?: number[];
  batch?: number;
  plane?: PlaneFilter;
  rescale: "auto" | "on" | "off";
  intensityRange?: IntensityRange;
  channelOrder?: "bgr" | "rgb" | "as-is";
  compression: "auto" | "deflate" | "none";
}

const AXES = ["scene", "t", "c", "z", "h", "b", "v", "r", "i"] as const;

/** The largest plane index `--plane` takes on any axis (far beyond any real acquisition). */
const MAX_PLANE_INDEX = 1_048_575;

/**
 * `z=2,t=0-3,scene=1` → { z: [2], t: [0,1,2,3], scene: [1] } (also `image-convert --plane`);
 * `h`, `b`, `v`, `r`, `i` select indices of those CZI dimensions, which are then looped.
 */
export function parsePlaneFilter(text: string): PlaneFilter {
  const filter: PlaneFilter = {};
  for (const part of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(scene|s|t|c|z|h|b|v|r|i)=(\d+)(?:-(\d+))?$/.exec(part);
    if (!m)
      throw invalidArgument(`"${part}" is not an axis selection`, {
        where: "--plane",
        allowed:
          "AXIS=INDEX or AXIS=FIRST-LAST with AXIS one of scene, t, c, z or the CZI dimensions h, b, v, r, i (0-based), comma-separated, e.g. z=2,t=0-3",
      });
    const axis = (m[1] === "s" ? "scene" : m[1]) as (typeof AXES)[number];
    const first = Number(m[2]);
    const last = m[3] !== undefined ? Number(m[3]) : first;
    if (last < first) throw invalidArgument(`range ${first}-${last} is empty`, { where: "--plane" });
    if (last > MAX_PLANE_INDEX) {
      // checked before the range is spelled out: t=0-99999999999 must not allocate an array that long
      throw invalidArgument(`index ${last} is beyond any image's planes`, { where: "--plane", allowed: `indices 0..${MAX_PLANE_INDEX}` });
    }
    filter[axis] = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  }
  return filter;
}

function parseIntensityRange(text: string): IntensityRange {
  if (text === "dtype" || text === "bitdepth") return text;
  const parts = text.split(",").map(Number);
  if (parts.length === 2 && parts.every(Number.isFinite) && parts[1]! > parts[0]!) return [parts[0]!, parts[1]!];
  throw invalidArgument(`"${text}" is not an intensity range`, {
    where: "--intensity-range",
    allowed: "dtype, bitdepth or MIN,MAX with MAX > MIN",
  });
}

/** Add the shared options to `command`; `outputs` are the `--output` choices it offers, `outputHelp` their description. */
export function addRunOptions(command: Command, outputs: readonly string[], outputHelp: string): Command {
  return command
    .addOption(new Option("--output <what>", outputHelp).choices(outputs).default("labels"))
    .option("--min-confidence <p>", "labels: pixels whose best class probability is below P get the value 0 (unclassified)", numberIn(0, 1))
    .option(
      "--border <n>",
      "context pixels per tile side (default: MinOverlap / 2, or the legacy BorderSize)",
      intList("--border", { count: [1, 2, 3] }),
    )
    .option(
      "--tile <h,w>",
      "tile size for models with dynamic spatial dims (snapped to the model's stride); packages: one of its valid input sizes",
      intList("--tile", { min: 1, count: [2, 3] }),
    )
    .option(
      "--batch <n>",
      `tiles per model run (models with a dynamic batch dim only; 1..${OPTION_LIMITS.batch})`,
      positiveInt(OPTION_LIMITS.batch),
    )
    .option(
      "--plane <sel>",
      "predict only these planes, e.g. z=2,t=0-3,c=0,scene=1 (0-based); CZI dimensions h, b, v, r, i too (h=0-3 predicts every H index into one output)",
      parsePlaneFilter,
    )
    .addOption(
      new Option("--rescale <mode>", "scale intensities to [0,1]: auto = as the model expects")
        .choices(["auto", "on", "off"])
        .default("auto"),
    )
    .option(
      "--intensity-range <range>",
      "range mapped to [0,1]: dtype (0..type max), bitdepth (0..2^bits-1) or MIN,MAX",
      parseIntensityRange,
    )
    .addOption(cziOtherDimensionsOption())
    .addOption(
      new Option("--channel-order <order>", "colour order fed to colour models (default: the model's, BGR for ZEN models)").choices([
        "bgr",
        "rgb",
        "as-is",
      ]),
    )
    .addOption(
      new Option(
        "--compression <mode>",
        "OME-TIFF/OME-Zarr tile compression: auto = deflate label images, store float32 outputs (probabilities, regression) raw (deflate saves under 20 % there at ~3x the time)",
      )
        .choices(["auto", "deflate", "none"])
        .default("auto"),
    );
}

/** The options object the shared flags ask for. */
export function runOptionsFrom(opts: RunCliOptions): PredictFileOptions {
  return {
    output: opts.output,
    compression: opts.compression,
    ...(opts.minConfidence !== undefined ? { minConfidence: opts.minConfidence } : {}),
    ...(opts.border ? { border: opts.border.length === 1 ? opts.border[0]! : opts.border } : {}),
    ...(opts.tile ? { tile: opts.tile } : {}),
    ...(opts.batch ? { batch: opts.batch } : {}),
    ...(opts.plane ? { planes: opts.plane } : {}),
    rescale: opts.rescale,
    ...(opts.intensityRange ? { intensityRange: opts.intensityRange } : {}),
    ...(opts.channelOrder ? { channelOrder: opts.channelOrder } : {}),
    openOptions: imageOpenOptionsFrom(opts),
  };
}
