/**
 * Proof that a model is spatially invariant (fully convolutional): after the static check for
 * blockers (`blockers.ts`), the model is set to two different spatial sizes
 * (`set-spatial-dims.ts`) and run with onnxruntime on synthetic data at each; both runs must
 * succeed and the output's spatial size must follow the input's by the same factor. Any failure
 * is a one-line `UNSUPPORTED` CzmodelError with the runtime's reason. The runtime module is a
 * parameter (onnxruntime-node or -web). Isomorphic.
 */
import { unsupported } from "../../errors.js";
import { readTensorType } from "../graph/nodes.js";
import { decodeModel, encodeModel } from "../model-io.js";
import { runtimeMessage, type OrtRuntime, type OrtSession, type OrtSessionOptions } from "../ort-types.js";
import { syntheticData } from "../synthetic-data.js";
import { onnxTypeName } from "../tensor-types.js";
import { findSpatialBlockers } from "./blockers.js";
import { setSpatialDims } from "./set-spatial-dims.js";

interface InvarianceRun {
  input: number[];
  output: number[];
  ms: number;
}

export interface InvarianceResult {
  runs: InvarianceRun[];
  /** Output spatial size / input spatial size, per spatial axis (1 for same-size outputs). */
  outputScale: number[];
}

export interface InvarianceOptions {
  /** Spatial sizes to try (each H, W or D, H, W); default: `defaultInvarianceSizes(target)`. */
  sizes?: number[][];
  /** The size the model will be packed at, used for the default sizes. */
  target?: number[];
  where?: string;
  /** Session options (default: fatal-only runtime logging, since failures are expected and reported). */
  sessionOptions?: OrtSessionOptions;
}

/** The target and half of it (or 64×64 and 128×96 with no target). */
export function defaultInvarianceSizes(target: number[] | undefined, spatialRank = 2): number[][] {
  if (target) {
    const half = target.map((t) => (t % 2 === 0 && t >= 32 ? t / 2 : t * 2));
    return [target, half];
  }
  return spatialRank === 3
    ? [
        [16, 64, 64],
        [32, 64, 96],
      ]
    : [
        [64, 64],
        [128, 96],
      ];
}

export async function checkSpatialInvariance(
  bytes: Uint8Array,
  ort: OrtRuntime,
  options: InvarianceOptions = {},
): Promise<InvarianceResult> {
  const where = options.where ?? "--spatial-dims";
  const model = decodeModel(bytes);
  const refuse = (why: string) =>
    unsupported(`the model is not spatially invariant: ${why}`, { where, allowed: "fully convolutional models" });
  const blockers = findSpatialBlockers(model);
  if (blockers[0]) throw refuse(`${blockers[0].opType} node "${blockers[0].node}" ${blockers[0].reason}`);
  const inits = new Set(model.graph!.initializer.map((t) => t.name));
  const input = model.graph!.input.find((v) => !inits.has(v.name));
  const t = input && readTensorType(input);
  if (!input || !t || t.dims.length < 3) throw refuse("it needs one NHWC or NDHWC input");
  const channels = t.dims[t.dims.length - 1];
  if (typeof channels !== "number") throw refuse(`the input's channel count is not fixed (shape [${t.dims.join(", ")}])`);
  const batch = typeof t.dims[0] === "number" ? t.dims[0] : 1;
  const sizes = options.sizes ?? defaultInvarianceSizes(options.target, t.dims.length - 2);
  const type = onnxTypeName(t.elemType);

  const runs: InvarianceRun[] = [];
  for (const size of sizes) {
    const copy = decodeModel(bytes);
    setSpatialDims(copy, size, where);
    const dims = [batch, ...size, channels];
    const label = size.join("×");
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(encodeModel(copy), options.sessionOptions ?? { logSeverityLevel: 4 });
    } catch (e) {
      throw refuse(`onnxruntime cannot load it at ${label}: ${runtimeMessage(e)}`);
    }
    try {
      const data = syntheticData(
        type,
        dims.reduce((a, b) => a * b, 1),
      );
      const feeds = { [session.inputNames[0]!]: new ort.Tensor(type as "float32", data as Float32Array, dims) };
      const t0 = performance.now();
      const result = await session.run(feeds);
      const ms = performance.now() - t0;
      const out = result[session.outputNames[0]!]!;
      runs.push({ input: dims, output: [...out.dims], ms });
    } catch (e) {
      throw refuse(`it fails at ${label}: ${runtimeMessage(e)}`);
    } finally {
      await session.release();
    }
  }

  const spatialOf = (d: number[]) => d.slice(1, d.length - 1);
  const scales = runs.map((r) => {
    if (r.output.length !== r.input.length) return undefined;
    const i = spatialOf(r.input);
    return spatialOf(r.output).map((o, k) => o / i[k]!);
  });
  const first = scales[0];
  const consistent = first !== undefined && scales.every((s) => s?.every((v, k) => v === first[k]));
  if (!consistent) {
    const shown = runs.map((r) => `[${r.output.join(", ")}] at ${spatialOf(r.input).join("×")}`).join(", ");
    throw refuse(`its output size does not follow the input size (${shown})`);
  }
  return { runs, outputScale: first };
}
