/**
 * Options shared by every way of packing a model (`convertFromModelSpec`,
 * `convertFromJsonSpec`, `packModel`, `czmodel pack` / `convert`): the ONNX adaptation
 * (pre/post-processing, layout, spatial dims), validation strictness and reproducible-output
 * controls. Isomorphic.
 */
import type { InputCastType, OpSpec } from "../onnx/index.js";
import { parseOpList } from "../onnx/index.js";
import type { ZipHostByte, ZipTimestamp } from "../container/index.js";
import type { Target } from "../validate/targets.js";

export interface ConvertOptions {
  /** Fix the model's spatial input size `[H, W]` (or `[D, H, W]`) for a model with dynamic spatial dims. */
  spatialDims?: number[];
  /** Pre-processing ops prepended to the graph: parsed specs or the CLI text (`rgb-to-bgr,scale=0.5`). */
  preprocessing?: OpSpec[] | string;
  /** Post-processing ops appended to the graph (e.g. `softmax`). */
  postprocessing?: OpSpec[] | string;
  /** The model is channels-first (NCHW): wrap it in Transposes so the file is NHWC. */
  channelsFirst?: boolean;
  /** Make the input uint8/uint16 and cast it to float32 inside the model. */
  inputCast?: InputCastType;
  /** ZEN version to validate against before writing (default zen-3.13). */
  target?: Target;
  /**
   * Write the file even when structural validation finds errors (they are returned as
   * findings), and apply `channelsFirst` even to a model whose input looks channels-last.
   */
  force?: boolean;
  /** Zip host byte: 0x00 as written on Windows, 0x03 on Unix (default: this machine's, like czmodel). */
  hostByte?: ZipHostByte;
  /** Timestamp of the entries (default now); fix it for reproducible files. */
  date?: ZipTimestamp;
  /**
   * An output file that exists already: `replace` it (default, as ZEISS's czmodel does) or
   * `refuse` (the CLI's `pack` and `convert` without `--overwrite`). A file that is one of the
   * inputs (model, licence, spec) is never replaced.
   */
  existing?: "replace" | "refuse";
}

/** Op lists given as text are parsed here (errors name the option and entry). */
export function resolveOps(ops: OpSpec[] | string | undefined, role: "pre" | "post"): OpSpec[] {
  if (ops === undefined) return [];
  return typeof ops === "string" ? parseOpList(ops, role) : ops;
}

export function hasAdaptation(o: ConvertOptions): boolean {
  return Boolean(
    o.spatialDims ||
      o.channelsFirst ||
      o.inputCast ||
      (typeof o.preprocessing === "string" ? o.preprocessing.trim() : o.preprocessing?.length) ||
      (typeof o.postprocessing === "string" ? o.postprocessing.trim() : o.postprocessing?.length),
  );
}
