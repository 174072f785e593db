/**
 * The ONNX session side of the engine: creating the session (onnxruntime-node or -web, given
 * as a parameter), checking that the model is NHWC (NDHWC) as ZEN requires, and running
 * batches of tiles with reused buffers. Batches > 1 are used only when the model's batch dim
 * is dynamic. A session in another thread may take buffers on loan instead of copying them
 * (`BufferLendingSession`) and may compute two-class labels itself (`LabelLendingSession`).
 * An output whose spatial size is not the input's is refused in the words `validate` uses
 * (`zen-rules.ts`); messages about a shape that looks channels-first add the --channels-first hint.
 */
import type { InferenceSession, Tensor } from "onnxruntime-common";
import { describeError, invalidArgument, invalidModel, isCzmodelError, unsupported } from "../errors.js";
import { channelsFirstHint } from "../onnx/layout-guess.js";
import { outputSpatialProblem } from "../validate/zen-rules.js";
import type { EngineModel, OrtRuntime, SessionFactory } from "./types.js";

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

/** Most onnxruntime intra-op threads a session may ask for (100 000 made session creation hang). */
export const MAX_THREADS = 256;

/**
 * Create a session from the model's bytes, or with `createSession` when given (then not owned:
 * the caller releases it). Errors become `INVALID_MODEL`.
 */
export async function openSession(
  model: EngineModel,
  runtime: OrtRuntime,
  threads: number | undefined,
  extra: InferenceSession.SessionOptions | undefined,
  createSession?: SessionFactory,
): Promise<{ session: InferenceSession; owned: boolean }> {
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS)) {
    throw invalidArgument(`thread count ${threads} is not an integer in 1..${MAX_THREADS}`, { where: "--threads" });
  }
  const options: InferenceSession.SessionOptions = { ...extra };
  if (threads !== undefined) options.intraOpNumThreads = threads;
  try {
    if (createSession) {
      return { session: await createSession(threads === undefined ? {} : { threads }), owned: false };
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
export function readSessionLayout(session: InferenceSession, model: EngineModel, spatialDims: 2 | 3): SessionLayout {
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
  const inShape = inMeta?.isTensor ? inMeta.shape : undefined;
  const outShape = outMeta?.isTensor ? outMeta.shape : undefined;
  if (inMeta?.isTensor && inMeta.type !== "float32") {
    throw unsupported(`model input '${inputName}' is ${inMeta.type}; ZEN models take float32`, { where });
  }

  let fixedBatch: number | null = null;
  let spatialIn: (number | null)[] = Array.from({ length: spatialDims }, () => null);
  if (inShape && inShape.length > 0) {
    if (inShape.length !== rank) {
      throw unsupported(`model input '${inputName}' has shape ${fmtShape(inShape)}; expected ${layout}${channelsFirstHint(inShape)}`, {
        where,
      });
    }
    const c = fixedDim(inShape[rank - 1]);
    if (c !== null && c !== model.inputChannels) {
      throw unsupported(
        `model input '${inputName}' ${fmtShape(inShape)} is not ${layout} with ${model.inputChannels} channel(s) as the metadata says${channelsFirstHint(inShape)}`,
        { where },
      );
    }
    fixedBatch = fixedDim(inShape[0]);
    spatialIn = inShape.slice(1, rank - 1).map(fixedDim);
    if (model.tile) {
      spatialIn.forEach((d, i) => {
        if (d !== null && d !== model.tile![i]) {
          throw invalidModel(
            `model input '${inputName}' ${fmtShape(inShape)} does not match the metadata's tile ${fmtShape(model.tile!)}${channelsFirstHint(inShape)}`,
            { where },
          );
        }
      });
    }
  }
  let outputChannels: number | null = null;
  if (outShape && outShape.length > 0) {
    const spatialOut = outShape.slice(1, rank - 1).map(fixedDim);
    const hint = channelsFirstHint(outShape);
    const spatial = outShape.length === rank ? outputSpatialProblem(spatialIn, spatialOut) : undefined;
    if (outShape.length !== rank || (spatial && hint)) {
      throw unsupported(
        `model output '${outputName}' has shape ${fmtShape(outShape)}; expected ${layout.replace("C]", "K]")} with the input's spatial size (input ${fmtShape(inShape ?? [])})${hint}`,
        { where },
      );
    }
    if (spatial) throw unsupported(`model output '${outputName}' ${fmtShape(outShape)}: ${spatial}`, { where });
    outputChannels = fixedDim(outShape[rank - 1]);
  }
  const expectedOut = model.outputChannels ?? model.classes?.length;
  if (outputChannels !== null && expectedOut !== undefined && outputChannels !== expectedOut) {
    throw invalidModel(
      `model output '${outputName}' has ${outputChannels} channel(s) but the metadata says ${expectedOut}${channelsFirstHint(outShape)}`,
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
  /** `n × spatial × channels` float32, NHWC (empty when `labels` are given). Valid until given back with `BatchRunner.recycle`. */
  data: Float32Array;
  channels: number;
  /** `n × spatial` labels, when the batch was run with a `LabelSpec` (the session computed them). */
  labels?: Uint8Array | Uint16Array;
}

/** Ask for labels instead of probabilities (a two-class model): `p1 > p0 ? values[1] : values[0]`. */
export interface LabelSpec {
  values: readonly [number, number];
  type: "uint8" | "uint16";
}

/** One run of a `BufferLendingSession`: float32 input in, the first output out. */
export interface LendingRequest {
  inputName: string;
  /** A whole buffer (offset 0) whose first `inputLength` values are the batch; detached until the run settles. */
  input: Float32Array;
  inputLength: number;
  inputDims: readonly number[];
  outputName: string;
  /** A whole buffer for the output when `outputDims` are known (it then holds the output from index 0). */
  output?: Float32Array;
  outputDims?: readonly number[];
}

export interface LendingResult {
  /** The input buffer, given back. */
  input: Float32Array;
  /** A whole buffer holding the output from index 0 (the lent one, or a new one); null when the output is not float32. */
  output: Float32Array | null;
  /** The lent output buffer when it was not used. */
  spare?: Float32Array;
  type: string;
  dims: readonly number[];
}

/**
 * A session that takes its buffers on loan instead of copying them (a session in another
 * thread moves them there and back: `WorkerSession`). `BatchRunner` uses it when the session
 * has this method.
 */
export interface BufferLendingSession {
  runLending(request: LendingRequest): Promise<LendingResult>;
}

export interface LabelLendingRequest {
  inputName: string;
  input: Float32Array;
  inputLength: number;
  inputDims: readonly number[];
  outputName: string;
  /** `[n, ...tile, 2]`. */
  outputDims: readonly number[];
  /** A whole buffer of at least `n × tile pixels` labels; lent like the input. */
  labels: Uint8Array | Uint16Array;
  values: readonly [number, number];
}

export interface LabelLendingResult {
  input: Float32Array;
  labels: Uint8Array | Uint16Array;
  type: string;
  dims: readonly number[];
}

/** A session that can turn a two-class output into labels itself (`WorkerSession` with SIMD). */
export interface LabelLendingSession {
  readonly canComputeLabels: boolean;
  runLendingLabels(request: LabelLendingRequest): Promise<LabelLendingResult>;
}

/** The whole buffer behind a labels view. */
function wholeLabels(a: Uint8Array | Uint16Array): Uint8Array | Uint16Array {
  return a instanceof Uint16Array ? new Uint16Array(a.buffer) : new Uint8Array(a.buffer);
}

function computesLabels(session: InferenceSession): session is InferenceSession & LabelLendingSession {
  return (
    (session as Partial<LabelLendingSession>).canComputeLabels === true &&
    typeof (session as Partial<LabelLendingSession>).runLendingLabels === "function"
  );
}

function isLending(session: InferenceSession): session is InferenceSession & BufferLendingSession {
  return typeof (session as Partial<BufferLendingSession>).runLending === "function";
}

/** Free buffers of one session and batch shape, and the output channels once a batch has shown them. */
interface RunnerPools {
  inputs: Float32Array[];
  outputs: Float32Array[];
  labels: (Uint8Array | Uint16Array)[];
  channels: number | null;
}

/**
 * Pools by session, then by batch shape: a session that runs many predictions (the work units
 * of a queue worker or a shard, each its own `predict`) reuses its buffers instead of
 * allocating and collecting ~20 MB per prediction, and knows its output channels from the
 * first batch on (that cost a unit of four 1024² tiles about a quarter of its time).
 */
const POOLS = new WeakMap<InferenceSession, Map<string, RunnerPools>>();

function sessionPools(session: InferenceSession, shape: string): { pools: RunnerPools; fresh: boolean } {
  let byShape = POOLS.get(session);
  if (!byShape) {
    byShape = new Map();
    POOLS.set(session, byShape);
  }
  const known = byShape.get(shape);
  if (known) return { pools: known, fresh: false };
  const pools: RunnerPools = { inputs: [], outputs: [], labels: [], channels: null };
  byShape.set(shape, pools);
  return { pools, fresh: true };
}

/**
 * Runs batches of equally sized tiles. Keeps a small pool of input buffers of `maxBatch`
 * tiles (one is filled while the session reads another) and, with a `BufferLendingSession`,
 * of output buffers (one is stitched while the session writes another), so a long run
 * allocates no memory per batch. The pools belong to the session (`POOLS`), so the next
 * prediction with the same session starts with them.
 */
export class BatchRunner {
  readonly tileValues: number;
  private readonly tilePixels: number;
  private readonly freeInputs: Float32Array[];
  private readonly freeOutputs: Float32Array[];
  private readonly freeLabels: (Uint8Array | Uint16Array)[];
  private readonly pools: RunnerPools;
  private readonly lending: boolean;
  /** The session can compute two-class labels (`run` with a `LabelSpec`). */
  readonly canComputeLabels: boolean;

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
    this.tilePixels = tile.reduce((a, b) => a * b, 1);
    this.tileValues = this.tilePixels * inputChannels;
    this.lending = isLending(session);
    this.canComputeLabels = computesLabels(session);
    const { pools, fresh } = sessionPools(session, `${tile.join("x")}x${inputChannels}/${maxBatch}`);
    this.pools = pools;
    this.freeInputs = pools.inputs;
    this.freeOutputs = pools.outputs;
    this.freeLabels = pools.labels;
    if (fresh) for (let i = 0; i < 2; i++) this.freeInputs.push(new Float32Array(this.tileValues * maxBatch));
  }

  /** Output channels once a batch (of this or an earlier prediction with the session) has shown them. */
  private get channels(): number | null {
    return this.pools.channels;
  }

  /** An input buffer to fill (not in use by a run). Give it to `run`, which takes it back. */
  nextBuffer(): Float32Array {
    return this.freeInputs.pop() ?? new Float32Array(this.tileValues * this.maxBatch);
  }

  /**
   * Run `n` tiles from `buffer` (from `nextBuffer`); checks the output is `[n, ...tile, K]`
   * float32. With `labels` (only once a batch has shown K = 2, and when `canComputeLabels`)
   * the session returns labels instead of the probabilities.
   */
  async run(buffer: Float32Array, n: number, labels?: LabelSpec): Promise<BatchOutput> {
    const dims = [n, ...this.tile, this.inputChannels];
    const withLabels = labels !== undefined && this.canComputeLabels && this.channels === 2;
    let out: { type: string; dims: readonly number[]; data: Float32Array | null; labels?: Uint8Array | Uint16Array };
    try {
      out = withLabels
        ? await this.runLabels(buffer, n, dims, labels)
        : this.lending
          ? await this.runLent(buffer, n, dims)
          : await this.runPlain(buffer, n, dims);
    } catch (e) {
      if (isCzmodelError(e)) throw e;
      throw invalidModel(`onnxruntime failed to run the model on a ${fmtShape(dims)} tile batch: ${describeError(e)}`, {
        where: this.where,
        cause: e,
      });
    }
    const shape = out.dims;
    const hint = channelsFirstHint(shape);
    const layoutOk = shape.length === dims.length && shape[0] === n && (shape[shape.length - 1] ?? 0) >= 1;
    const spatial = layoutOk ? outputSpatialProblem(this.tile, shape.slice(1, -1)) : undefined;
    if (!layoutOk || (spatial && hint)) {
      throw unsupported(
        `model output '${this.layout.outputName}' has shape ${fmtShape(shape)} for input ${fmtShape(dims)}; expected NHWC [N, ${this.tile.join(", ")}, K] (same spatial size as the input)${hint}`,
        { where: this.where },
      );
    }
    if (spatial) throw unsupported(`model output '${this.layout.outputName}' ${fmtShape(shape)}: ${spatial}`, { where: this.where });
    if (out.type !== "float32" || (!out.data && !out.labels)) {
      throw unsupported(`model output '${this.layout.outputName}' is ${out.type}; expected float32`, { where: this.where });
    }
    const channels = shape[shape.length - 1]!;
    this.pools.channels ??= channels;
    if (out.labels) {
      const size = n * this.tilePixels;
      return { data: new Float32Array(0), channels, labels: out.labels.length === size ? out.labels : out.labels.subarray(0, size) };
    }
    const data = out.data!;
    const size = n * this.tilePixels * channels;
    return { data: data.length === size ? data : data.subarray(0, size), channels };
  }

  /** Give back a batch's output once it is stitched (its buffer may be reused by a later run). */
  recycle(output: BatchOutput): void {
    if (output.labels) {
      this.freeLabels.push(
        output.labels.length * output.labels.BYTES_PER_ELEMENT === output.labels.buffer.byteLength
          ? output.labels
          : wholeLabels(output.labels),
      );
      return;
    }
    if (!this.lending || this.channels === null) return;
    const whole = new Float32Array(output.data.buffer);
    if (whole.length === this.maxBatch * this.tilePixels * this.channels) this.freeOutputs.push(whole);
  }

  private async runPlain(buffer: Float32Array, n: number, dims: number[]) {
    const data = n === this.maxBatch ? buffer : buffer.subarray(0, n * this.tileValues);
    const input = new this.runtime.Tensor("float32", data, dims);
    const results = await this.session.run({ [this.layout.inputName]: input }, [this.layout.outputName]);
    this.freeInputs.push(buffer);
    const out = results[this.layout.outputName] as Tensor | undefined;
    if (!out) throw invalidModel(`the model returned no '${this.layout.outputName}' output`, { where: this.where });
    return { type: out.type, dims: out.dims, data: out.type === "float32" ? (out.data as Float32Array) : null };
  }

  private async runLabels(buffer: Float32Array, n: number, dims: number[], spec: LabelSpec) {
    const session = this.session as InferenceSession & LabelLendingSession;
    const u16 = spec.type === "uint16";
    const size = this.maxBatch * this.tilePixels;
    const at = this.freeLabels.findIndex((b) => b instanceof (u16 ? Uint16Array : Uint8Array) && b.length === size);
    const labels = at >= 0 ? this.freeLabels.splice(at, 1)[0]! : u16 ? new Uint16Array(size) : new Uint8Array(size);
    const r = await session.runLendingLabels({
      inputName: this.layout.inputName,
      input: buffer,
      inputLength: n * this.tileValues,
      inputDims: dims,
      outputName: this.layout.outputName,
      outputDims: [n, ...this.tile, 2],
      labels,
      values: spec.values,
    });
    this.freeInputs.push(r.input);
    return { type: r.type, dims: r.dims, data: null, labels: r.labels };
  }

  private async runLent(buffer: Float32Array, n: number, dims: number[]) {
    const session = this.session as InferenceSession & BufferLendingSession;
    const k = this.channels;
    const output = k === null ? undefined : (this.freeOutputs.pop() ?? new Float32Array(this.maxBatch * this.tilePixels * k));
    const r = await session.runLending({
      inputName: this.layout.inputName,
      input: buffer,
      inputLength: n * this.tileValues,
      inputDims: dims,
      outputName: this.layout.outputName,
      ...(output && k !== null ? { output, outputDims: [n, ...this.tile, k] } : {}),
    });
    this.freeInputs.push(r.input);
    if (r.spare) this.freeOutputs.push(r.spare);
    return { type: r.type, dims: r.dims, data: r.output };
  }
}
