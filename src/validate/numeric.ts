/**
 * Numeric validation of a packed model (`czmodel validate FILE --run`): run one tile with
 * onnxruntime on a given image tile or a synthetic one and check what ZEN relies on:
 * - the output shape is [N, ...OutputShape] for a [N, ...InputShape] tile, and its spatial size is
 *   the tile's (every model type; worded as `validate` and `predict` word it, see zen-rules.ts),
 *   with the channels-first hint when the output looks NCHW;
 * - segmentation outputs are probabilities: every value in [0, 1] and the channel values of each
 *   pixel sum to 1 ± 1e-3 (softmax); otherwise the model most likely outputs logits and should be
 *   packed with `--postprocess softmax` (K >= 2 channels) or
 *   `--postprocess sigmoid,sigmoid-to-softmax-scores` (1 channel);
 * - regression outputs are finite;
 * and report the time per tile (second run, after a warm-up) and, when the caller supplies a
 * memory probe (Node: `node/numeric.ts`), the runtime's peak memory for one tile
 * against ZEN's 8 GB minimum GPU. The runtime module is a parameter (node or web), so this
 * module owns the checks and never loads a runtime itself. Isomorphic.
 */
import { TILE_LIMITS_TEXT, tileTooLarge } from "../metadata/tile-limits.js";
import { channelsFirstHint } from "../onnx/layout-guess.js";
import { runtimeMessage, type OrtRuntime, type OrtSession, type OrtSessionOptions } from "../onnx/ort-types.js";
import type { Finding } from "./findings.js";
import { logitAdvice, outputSpatialProblem } from "./zen-rules.js";

export interface NumericValidationMeta {
  /** CZANN `Type` (e.g. `SingleClassSemanticSegmentation`, `Regression`); legacy files: undefined. */
  type?: string;
  /** Tile shape without batch: [H, W, C] or [D, H, W, C]. */
  inputShape: number[];
  /** Expected output shape without batch, when the metadata has one. */
  outputShape?: number[];
  classes?: string[];
}

/** Measures the runtime's memory: `start` before loading, `stop` after the runs → peak bytes above the start. */
export interface MemoryProbe {
  start(): void;
  stop(): number | undefined;
  /** How the number was measured, for the report. */
  method: string;
}

export interface NumericValidationOptions {
  /** One tile, NHWC float32, batch 1, `inputShape` elements (values as ZEN feeds them, [0, 1]). */
  input?: Float32Array;
  memory?: MemoryProbe;
  sessionOptions?: OrtSessionOptions;
  /** Prefix for `where` of findings, e.g. the file name. */
  where?: string;
}

export interface NumericValidationResult {
  ok: boolean;
  findings: Finding[];
  timing?: { sessionMs: number; firstRunMs: number; tileMs: number; tile: number[] };
  memory?: { peakBytes: number; limitBytes: number; method: string };
  output?: { dims: number[]; min: number; max: number; nonFinite: number; channelSumRange?: [number, number] };
}

/** ZEN's minimum hardware: a GPU with 8 GB (docs/formats.md#model-rules). */
const ZEN_MIN_GPU_BYTES = 8 * 1024 ** 3;
const SOFTMAX_SUM_TOLERANCE = 1e-3;

const isSegmentation = (m: NumericValidationMeta) => (m.type === undefined ? (m.classes?.length ?? 0) > 0 : /Segmentation/.test(m.type));
const isRegression = (m: NumericValidationMeta) => m.type === "Regression";

/** A smooth pattern with some noise in [0, 1], deterministic. */
function syntheticTile(shape: number[]): Float32Array {
  const c = shape[shape.length - 1]!;
  const w = shape[shape.length - 2]!;
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let s = 987654321;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const ch = i % c;
    const px = Math.floor(i / c);
    const x = px % w;
    const y = Math.floor(px / w);
    const v = 0.5 + 0.3 * Math.sin((2 * Math.PI * x) / 37 + ch) * Math.cos((2 * Math.PI * y) / 53) + 0.2 * (s / 2 ** 32 - 0.5);
    out[i] = Math.min(1, Math.max(0, v));
  }
  return out;
}

const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MB`;

export async function runNumericValidation(
  bytes: Uint8Array,
  meta: NumericValidationMeta,
  ort: OrtRuntime,
  options: NumericValidationOptions = {},
): Promise<NumericValidationResult> {
  const findings: Finding[] = [];
  const where = options.where ? `${options.where}: ` : "";
  const add = (severity: Finding["severity"], code: string, message: string, at?: string) =>
    findings.push({ severity, code, message, ...(at ? { where: `${where}${at}` } : options.where ? { where: options.where } : {}) });
  const done = (extra: Partial<NumericValidationResult> = {}): NumericValidationResult => ({
    ok: !findings.some((f) => f.severity === "error"),
    findings,
    ...extra,
  });

  const tile = [1, ...meta.inputShape];
  const count = tile.reduce((a, b) => a * b, 1);
  if (tileTooLarge(meta.inputShape.slice(0, -1))) {
    add("error", "input-size", `InputShape [${meta.inputShape.join(", ")}] is larger than any tile can be (allowed: ${TILE_LIMITS_TEXT})`);
    return done();
  }
  const input = options.input ?? syntheticTile(meta.inputShape);
  if (input.length !== count) {
    add(
      "error",
      "input-size",
      `the test tile has ${input.length} values, the model's InputShape [${meta.inputShape.join(", ")}] needs ${count}`,
    );
    return done();
  }

  options.memory?.start();
  let session: OrtSession;
  const t0 = performance.now();
  try {
    session = await ort.InferenceSession.create(bytes, options.sessionOptions ?? {});
  } catch (e) {
    options.memory?.stop();
    add("error", "runtime-load", `onnxruntime cannot load the model: ${runtimeMessage(e)}`);
    return done();
  }
  const sessionMs = performance.now() - t0;
  try {
    const meta0 = session.inputMetadata[0];
    const inType = meta0?.isTensor ? meta0.type : "float32";
    if (inType !== "float32") {
      add(
        "error",
        "input-type",
        `the model input is ${inType}; ZEN feeds float32 tiles with values in [0, 1]`,
        `input "${session.inputNames[0]}"`,
      );
      return done();
    }
    const feeds = { [session.inputNames[0]!]: new ort.Tensor("float32", input, tile) };
    let result: Awaited<ReturnType<OrtSession["run"]>>;
    const t1 = performance.now();
    let firstRunMs: number;
    let tileMs: number;
    try {
      result = await session.run(feeds);
      firstRunMs = performance.now() - t1;
      const t2 = performance.now();
      result = await session.run(feeds);
      tileMs = performance.now() - t2;
    } catch (e) {
      options.memory?.stop();
      add("error", "run-failed", `the model fails on a [${tile.join(", ")}] tile: ${runtimeMessage(e)}`);
      return done();
    }
    const peak = options.memory?.stop();
    const outName = session.outputNames[0]!;
    const out = result[outName]!;
    const data = out.data as Float32Array;
    const dims = [...out.dims];
    const timing = { sessionMs, firstRunMs, tileMs, tile };
    add(
      "info",
      "time-per-tile",
      `one ${meta.inputShape.slice(0, -1).join("×")} tile took ${tileMs.toFixed(1)} ms (onnxruntime, after a ${firstRunMs.toFixed(1)} ms warm-up run)`,
    );
    const memory = peak !== undefined && options.memory ? memoryUse(peak, options.memory.method, add) : undefined;

    const expected = meta.outputShape ? [1, ...meta.outputShape] : undefined;
    let hint = channelsFirstHint(dims);
    if (expected && (dims.length !== expected.length || dims.some((d, i) => d !== expected[i]))) {
      add(
        "error",
        "output-shape",
        `the model returned [${dims.join(", ")}] for a [${tile.join(", ")}] tile, but OutputShape says [${expected.join(", ")}]${hint}`,
        `output "${outName}"`,
      );
      hint = "";
    }
    const spatial = dims.length === tile.length ? outputSpatialProblem(tile.slice(1, -1), dims.slice(1, -1)) : undefined;
    if (spatial) add("error", "output-spatial", `${spatial}${hint}`, `output "${outName}"`);
    if (out.type !== "float32") {
      add("error", "output-type", `the output is ${out.type}; ZEN reads float32`, `output "${outName}"`);
      return done({ timing, ...(memory ? { memory } : {}) });
    }
    const stats = outputStats(data, dims);
    if (stats.nonFinite > 0) {
      add("error", "output-not-finite", `${stats.nonFinite} of ${data.length} output values are NaN or infinite`, `output "${outName}"`);
    }
    if (isSegmentation(meta) && stats.nonFinite === 0) {
      const problem = probabilitiesProblem(stats, dims[dims.length - 1] ?? 1);
      if (problem) add("error", "output-not-probabilities", problem, `output "${outName}"`);
    } else if (isRegression(meta) && stats.nonFinite === 0) {
      add("info", "output-range", `regression output values range over [${fmt(stats.min)}, ${fmt(stats.max)}]`, `output "${outName}"`);
    }
    return done({
      timing,
      ...(memory ? { memory } : {}),
      output: { dims, min: stats.min, max: stats.max, nonFinite: stats.nonFinite, channelSumRange: stats.channelSumRange },
    });
  } finally {
    await session.release();
  }
}

/** The measured peak memory of one tile, with its finding against ZEN's minimum GPU. */
function memoryUse(
  peak: number,
  method: string,
  add: (severity: Finding["severity"], code: string, message: string) => void,
): NumericValidationResult["memory"] {
  const text = `peak runtime memory for one tile: ${mb(peak)} (${method}); ZEN's minimum GPU has 8 GB`;
  if (peak > ZEN_MIN_GPU_BYTES) add("warning", "memory", `${text}: the model may not run on ZEN's minimum hardware`);
  else add("info", "memory", text);
  return { peakBytes: peak, limitBytes: ZEN_MIN_GPU_BYTES, method };
}

/** Why a segmentation output is not per-class probabilities (with the fix), or undefined when it is. */
function probabilitiesProblem(stats: ReturnType<typeof outputStats>, k: number): string | undefined {
  const [lo, hi] = stats.channelSumRange;
  const inRange = stats.min >= -1e-6 && stats.max <= 1 + 1e-6;
  const sumsOk = Math.abs(lo - 1) <= SOFTMAX_SUM_TOLERANCE && Math.abs(hi - 1) <= SOFTMAX_SUM_TOLERANCE;
  if (inRange && sumsOk) return undefined;
  return (
    `segmentation outputs must be class probabilities (each in [0, 1], summing to 1 ± ${SOFTMAX_SUM_TOLERANCE} per pixel), ` +
    (k === 1
      ? `but the output has 1 channel with values over [${fmt(stats.min)}, ${fmt(stats.max)}]: ${logitAdvice(1)}`
      : `but values range over [${fmt(stats.min)}, ${fmt(stats.max)}] and per-pixel sums over [${fmt(lo)}, ${fmt(hi)}]: ` +
        (k === 2 && sumsOk
          ? `the channels sum to 1 but leave [0, 1], as [p, 1 − p] of a 1-channel logit p does; ${logitAdvice(1)}`
          : `it looks like logits; ${logitAdvice(k)}`))
  );
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(Number(v.toFixed(4)));
}

function outputStats(data: Float32Array, dims: number[]) {
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  for (const v of data) {
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const k = dims[dims.length - 1] ?? 1;
  let lo = Infinity;
  let hi = -Infinity;
  for (let p = 0; p + k <= data.length; p += k) {
    let s = 0;
    for (let c = 0; c < k; c++) s += data[p + c]!;
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  return { min, max, nonFinite, channelSumRange: [lo, hi] as [number, number] };
}
