/**
 * The registry of pre-/post-processing operations, the op-list parser for the CLI
 * (`rgb-to-bgr,scale=0.5,transpose-channels=2/1/0`), the help text listing them, and
 * `opsUseImageStatistics` (does a parsed list depend on per-image statistics?). Isomorphic.
 */
import { invalidArgument } from "../../errors.js";
import { binarize } from "./binarize.js";
import { clip } from "./clip.js";
import { perImageStandardization } from "./per-image-standardization.js";
import { rgbToBgr } from "./rgb-to-bgr.js";
import { rgbaToBgra } from "./rgba-to-bgra.js";
import { scale } from "./scale.js";
import { scaleLinear } from "./scale-linear.js";
import { scaleRange } from "./scale-range.js";
import { shift } from "./shift.js";
import { sigmoid } from "./sigmoid.js";
import { sigmoidToSoftmaxScores } from "./sigmoid-to-softmax-scores.js";
import { softmax } from "./softmax.js";
import { transposeChannels } from "./transpose-channels.js";
import type { OpDescriptor, OpSpec } from "./types.js";
import { zeroMeanUnitVariance } from "./zero-mean-unit-variance.js";

export type { OpDescriptor, OpSpec } from "./types.js";

/** Every operation, in help order. */
export const OPERATIONS: readonly OpDescriptor[] = [
  rgbToBgr,
  rgbaToBgra,
  transposeChannels,
  perImageStandardization,
  shift,
  scale,
  scaleLinear,
  zeroMeanUnitVariance,
  scaleRange,
  clip,
  binarize,
  sigmoid,
  softmax,
  sigmoidToSoftmaxScores,
];

export function findOperation(name: string): OpDescriptor | undefined {
  return OPERATIONS.find((o) => o.name === name);
}

/**
 * True when any op of the list computes statistics of each image (mean, std, min/max,
 * percentiles), so its result for a pixel depends on the rest of the image: per tile when ZEN
 * tiles the input, and on the batch element. Unknown names count as false.
 */
export function opsUseImageStatistics(specs: readonly OpSpec[]): boolean {
  return specs.some((s) => findOperation(s.name)?.usesImageStatistics?.(s.params) ?? false);
}

export type OpRole = "pre" | "post";

function allowedIn(op: OpDescriptor<unknown>, role: OpRole): boolean {
  return op.kind === "pre-or-post" || op.kind === role;
}

const optionOf = (role: OpRole) => (role === "pre" ? "--preprocess" : "--postprocess");

/**
 * Parse a comma-separated op list. Each entry is `name` or `name=value`. Errors name the entry
 * and list the allowed operations for this role.
 */
export function parseOpList(text: string, role: OpRole = "pre"): OpSpec[] {
  const option = optionOf(role);
  const entries = text.split(",").map((e) => e.trim());
  if (text.trim() === "") return [];
  return entries.map((entry) => {
    const where = `${option} ${entry}`;
    if (entry === "")
      throw invalidArgument("empty entry in the operation list", { where: `${option} ${text}`, allowed: "name[=value],name[=value],..." });
    const eq = entry.indexOf("=");
    const name = (eq < 0 ? entry : entry.slice(0, eq)).trim();
    const value = eq < 0 ? undefined : entry.slice(eq + 1).trim();
    const op = findOperation(name);
    const allowed = OPERATIONS.filter((o) => allowedIn(o, role))
      .map((o) => o.name)
      .join(", ");
    if (!op) throw invalidArgument(`unknown operation "${name}"`, { where, allowed });
    if (!allowedIn(op, role)) {
      throw invalidArgument(`"${name}" is a ${op.kind === "post" ? "post" : "pre"}-processing operation`, {
        where,
        allowed: `use it with ${optionOf(op.kind === "post" ? "post" : "pre")}; here: ${allowed}`,
      });
    }
    return { name, text: entry, params: op.parse(value, where) };
  });
}

/** Multi-line help text listing every operation with its syntax and meaning. */
export function operationsHelp(): string {
  const rows = OPERATIONS.map((o) => {
    const where = o.kind === "pre-or-post" ? "pre/post" : o.kind;
    return `  ${o.syntax}\n      [${where}] ${o.summary}`;
  });
  return [
    "Operations for --preprocess / --postprocess (comma-separated, applied in order; NHWC, channels last):",
    ...rows,
    "Values: numbers like 0.5, -2, 1e-3; per-channel values joined with ':' (1:2:3); several values separated by '/'.",
    "SCOPE of per-image statistics: joint = over H, W and C of each image (the default; bioimage.io axes [x, y, c]),",
    "per-channel = over H and W for each channel separately (bioimage.io axes [x, y]). Statistics are computed inside",
    "the model for each image of the batch, i.e. for each tile when ZEN runs it (tiles of one image get different ones).",
    'Percentiles pN (0 <= N <= 100, e.g. p1, p99.8) follow numpy np.quantile(..., method="linear"): with the n values',
    "sorted, v = N/100 * (n - 1), interpolated linearly between the values at floor(v) and floor(v) + 1; p0/p100 are",
    "the minimum/maximum. Percentiles other than p0/p100 need a model with opset >= 10.",
    "Layout options: --channels-first (the model is NCHW: wrap it in Transposes), --input-cast uint8|uint16,",
    "--spatial-dims H,W (fix the tile size of a fully convolutional model).",
  ].join("\n");
}
