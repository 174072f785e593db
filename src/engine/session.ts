/**
 * The ONNX session side of the engine: creating the session (onnxruntime-node or -web, given
 * as a parameter), checking that the model is NHWC (NDHWC) as ZEN requires, and running
 * batches of tiles with reused input buffers. Batches > 1 are used only when the model's
 * batch dim is dynamic.
 */
import type { InferenceSession, Tensor } from "onnxruntime-common";
import { describeError, invalidArgument, invalidModel, isCzmodelError, unsupported } from "../errors.js";
import type { EngineModel, OrtRuntime } from "./types.js";

/** A dimension from session metadata: a positive number if fixed, else null (symbolic / unknown). */
const fixedDim = (d: unknown): number | null => (typeof d === "number" && Number.isInteger(d) && d > 0 ? d : null);

export interface SessionLayout {
  inputName: string;
  outputName: string;
  /** Tensor rank: 4 (NHWC) or 5 (NDHWC). */
  rank: number;
  /** Fixed batch size, or null when dynamic / unknown. */
  fixedBatch: number | null;
  batchDynamic: boolean;
  /** Spatial input dims (fixed or null), in tensor order. */
  spatialIn: (number | null)[];
  /** Output channels when the metadata fixes them. */
  outputChannels: number | null;
}

const fmtShape = (shape: readonly unknown[]): string => `[${shape.map((d) => (typeof d === "number" ? d : String(d))).join(", ")}]`;

/** Create a session from the model's bytes (or its factory). Errors become `INVALID_MODEL`. */
export async function openSession(
  model: EngineModel,
  runtime: OrtRuntime,
  threads: number | undefined,
  extra: InferenceSession.SessionOptions | undefined,
): Promise<{ session: InferenceSession; owned: boolean }> {
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw invalidArgument(`thread count ${threads} is not a positive integer`, { where: "--threads" });
  }
  const options: InferenceSession.SessionOptions = { ...extra };
  if (threads !== undefined) options.intraOpNumThreads = threads;
  try {
    if (typeof model.onnx === "function") {
      return { session: await model.onnx(threads === undefined ? {} : { threads }), owned: false };
    }
    return { session: await runtime.InferenceSession.create(model.onnx, options), owned: true };
  } catch (e) {
    if (isCzmodelError(e)) throw e;
    throw invalidModel(`onnxruntime cannot load the model: ${describeError(e)}`, { where: model.name, cause: e });
  }
}

/**
 * Read and check the session's input/output layout against the model description.
 * `spatialDims` is 2 or 3; one-line errors name what is wrong.
 */
export function inspectSession(session: InferenceSession, model: EngineModel, spatialDims: 2 | 3): SessionLayout {
  const where = model.name;
  const rank = spatialDims + 2;
  const layout = spatialDims === 3 ? "NDHWC [N, D, H, W, C]" : "NHWC [N, H, W, C]";
  if (session.inputNames.length !== 1) {
    throw unsupported(`the model has ${session.inputNames.length} inputs; expected exactly one image input`, { where });
  }
  if (session.outputNames.length < 1) throw invalidModel("the model has no outputs", { where });
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  const inMeta = session.inputMetadata?.find((m) => m.name === inputName);
  const outMeta = session.outputMetadata?.find((m) => m.name === outputName);
  const inShape = inMeta && inMeta.isTensor ? inMeta.shape : undefined;
  const outShape = outMeta && outMeta.isTensor ? outMeta.shape : undefined;
  if (inMeta?.isTensor && inMeta.type !== "float32") {
    throw unsupported(`model input '${inputName}' is ${inMeta.type}; ZEN models take float32`, { where });
  }

  let fixedBatch: number | null = null;
  let spatialIn: (number | null)[] = Array.from({ length: spatialDims }, () => null);
  if (inShape && inShape.length > 0) {
    if (inShape.length !== rank) {
      throw unsupported(`model input '${inputName}' has shape ${fmtShape(inShape)}; expected ${layout}`, { where });
    }
    const c = fixedDim(inShape[rank - 1]);
    if (c !== null && c !== model.inputChannels) {
      throw unsupported(
        `model input '${inputName}' ${fmtShape(inShape)} is not ${layout} with ${model.inputChannels} channel(s) as the metadata says`,
        { where },
      );
    }
    fixedBatch = fixedDim(inShape[0]);
    spatialIn = inShape.slice(1, rank - 1).map(fixedDim);
    if (model.tile) {
      spatialIn.forEach((d, i) => {
        if (d !== null && d !== model.tile![i]) {
          throw invalidModel(
            `model input '${inputName}' ${fmtShape(inShape)} does not match the metadata's tile ${fmtShape(model.tile!)}`,
            { where },
          );
        }
      });
    }
  }
  let outputChannels: number | null = null;
  if (outShape && outShape.length > 0) {
    const spatialOut = outShape.slice(1, rank - 1).map(fixedDim);
    const same = outShape.length === rank && spatialOut.every((d, i) => d === null || spatialIn[i] === null || d === spatialIn[i]);
    if (!same) {
      throw unsupported(
        `model output '${outputName}' has shape ${fmtShape(outShape)}; expected ${layout.replace("C]", "K]")} with the input's spatial size (input ${fmtShape(inShape ?? [])})`,
        { where },
      );
    }
    outputChannels = fixedDim(outShape[rank - 1]);
  }
  const expectedOut = model.outputChannels ?? model.classes?.length;
  if (outputChannels !== null && expectedOut !== undefined && outputChannels !== expectedOut) {
    throw invalidModel(
      `model output '${outputName}' has ${outputChannels} channel(s) but the metadata says ${expectedOut}`,
      { where },
    );
  }
  return {
    inputName,
    outputName,
    rank,
    fixedBatch,
    batchDynamic: inShape !== undefined && inShape.length > 0 && fixedBatch === null,
    spatialIn,
    outputChannels,
  };
}

export interface BatchOutput {
  /** `n × spatial × channels` float32, NHWC. */
  data: Float32Array;
  channels: number;
}

/**
 * Runs batches of equally sized tiles. Holds two input buffers of `maxBatch` tiles and hands
 * them out alternately, so one can be filled while the session reads the other.
 */
export class BatchRunner {
  readonly tileValues: number;
  private readonly buffers: [Float32Array, Float32Array];
  private turn = 0;

  constructor(
    private readonly session: InferenceSession,
    private readonly runtime: OrtRuntime,
    private readonly layout: SessionLayout,
    /** Spatial tile dims in tensor order (`[h, w]` or `[d, h, w]`). */
    private readonly tile: readonly number[],
    private readonly inputChannels: number,
    readonly maxBatch: number,
    private readonly where: string,
  ) {
    this.tileValues = tile.reduce((a, b) => a * b, 1) * inputChannels;
    this.buffers = [new Float32Array(this.tileValues * maxBatch), new Float32Array(this.tileValues * maxBatch)];
  }

  /** The next input buffer to fill (the one not used by the previous run). */
  nextBuffer(): Float32Array {
    const b = this.buffers[this.turn]!;
    this.turn ^= 1;
    return b;
  }

  /** Run `n` tiles from `buffer`; checks the output is `[n, ...tile, K]` float32. */
  async run(buffer: Float32Array, n: number): Promise<BatchOutput> {
    const dims = [n, ...this.tile, this.inputChannels];
    const data = n === this.maxBatch ? buffer : buffer.subarray(0, n * this.tileValues);
    const input = new this.runtime.Tensor("float32", data, dims);
    let results: InferenceSession.ReturnType;
    try {
      results = await this.session.run({ [this.layout.inputName]: input }, [this.layout.outputName]);
    } catch (e) {
      throw invalidModel(`onnxruntime failed to run the model on a ${fmtShape(dims)} tile batch: ${describeError(e)}`, {
        where: this.where,
        cause: e,
      });
    }
    const out = results[this.layout.outputName] as Tensor | undefined;
    if (!out) throw invalidModel(`the model returned no '${this.layout.outputName}' output`, { where: this.where });
    const shape = out.dims;
    const ok =
      shape.length === dims.length &&
      shape[0] === n &&
      this.tile.every((d, i) => shape[i + 1] === d) &&
      (shape[shape.length - 1] ?? 0) >= 1;
    if (!ok) {
      throw unsupported(
        `model output '${this.layout.outputName}' has shape ${fmtShape(shape)} for input ${fmtShape(dims)}; expected NHWC [N, ${this.tile.join(", ")}, K] (same spatial size as the input)`,
        { where: this.where },
      );
    }
    if (out.type !== "float32") {
      throw unsupported(`model output '${this.layout.outputName}' is ${out.type}; expected float32`, { where: this.where });
    }
    return { data: out.data as Float32Array, channels: shape[shape.length - 1]! };
  }
}
