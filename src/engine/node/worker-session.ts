/**
 * An onnxruntime-node session that runs in a worker thread, so the JS thread stays free
 * while a batch runs (onnxruntime-node's own `run` is a synchronous native call made inside
 * `setImmediate`, which blocks the event loop for the whole batch). With it the engine really
 * reads and converts the next batch, and writes finished bands, while the model runs.
 *
 * The proxy implements the parts of `InferenceSession` the engine uses (names, metadata,
 * `run`, `release`); `run` copies its input tensors to the worker (the caller keeps them) and
 * takes the outputs back by transfer. The engine uses `runLending` instead
 * (`BufferLendingSession`): the input buffer and a reused output buffer are *moved* to the
 * worker and back, so a batch costs no copy between threads and no new memory (a 1024² tile
 * of a 2-class model is 4 MB in and 8 MB out; copying and collecting those per tile cost the
 * main thread more than all other overhead together). The model writes straight into the
 * lent output buffer (onnxruntime's pre-allocated outputs). For a two-class model whose
 * output is only needed as labels, `runLendingLabels` goes one step further: the worker runs
 * the engine's SIMD argmax on the output where the model wrote it and returns one label per
 * pixel (no 8 MB copy per 1024² tile on the main thread). Node-only.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { InferenceSession, OnnxValue, Tensor } from "onnxruntime-common";
import type { BufferLendingSession, LabelLendingRequest, LabelLendingResult, LabelLendingSession, LendingRequest, LendingResult } from "../session.js";
import { assemble, simdKernels } from "../simd.js";
import type { OrtRuntime } from "../types.js";

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const ort = require(workerData.ortPath);
let session;
const wire = (out) => {
  const value = {};
  const transfer = [];
  for (const [name, t] of Object.entries(out)) {
    value[name] = { type: t.type, data: t.data, dims: t.dims };
    if (t.data && t.data.buffer && !transfer.includes(t.data.buffer)) transfer.push(t.data.buffer);
  }
  return { value, transfer };
};
// Float32Array over a whole buffer: transferable without copying what is not ours.
const own = (data) => data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
// The engine's SIMD kernels (src/engine/simd.ts, assembled there and sent here), for labels.
let simd = null;
try {
  if (workerData.simd && WebAssembly.validate(workerData.simd)) simd = new WebAssembly.Instance(new WebAssembly.Module(workerData.simd)).exports;
} catch (e) {
  simd = null;
}
const reserve = (bytes) => {
  const have = simd.memory.buffer.byteLength;
  if (have < bytes) simd.memory.grow(Math.ceil((bytes - have) / 65536));
  return simd.memory.buffer;
};
// One message at a time: a run's output lives in the kernels' memory until its labels are out.
let queue = Promise.resolve();
parentPort.on("message", (msg) => {
  queue = queue.then(() => handle(msg));
});
async function handle(msg) {
  if (msg.type === "labels") {
    // Run into the kernels' memory and turn the two-class output into labels right here.
    const back = [msg.input, msg.labels];
    try {
      const input = new Float32Array(msg.input, 0, msg.inputLength);
      const feeds = { [msg.inputName]: new ort.Tensor("float32", input, msg.inputDims) };
      const pixels = msg.outputDims.slice(0, -1).reduce((a, b) => a * b, 1);
      const u16 = msg.labelType === "uint16";
      const outBytes = (pixels * 8 + 15) & ~15;
      const labelBytes = (pixels * (u16 ? 2 : 1) + 15) & ~15;
      const memory = reserve(outBytes + labelBytes + 256);
      const output = new ort.Tensor("float32", new Float32Array(memory, 0, pixels * 2), msg.outputDims);
      const out = (await session.run(feeds, { [msg.outputName]: output }))[msg.outputName];
      if (!out) throw new Error("the model returned no '" + msg.outputName + "' output");
      (u16 ? simd.argmax2U16 : simd.argmax2U8)(0, outBytes, pixels, msg.v0, msg.v1);
      const Labels = u16 ? Uint16Array : Uint8Array;
      new Labels(msg.labels, 0, pixels).set(new Labels(simd.memory.buffer, outBytes, pixels));
      parentPort.postMessage({ id: msg.id, ok: true, value: { input: msg.input, labels: msg.labels, type: out.type, dims: out.dims } }, back);
    } catch (e) {
      parentPort.postMessage({ id: msg.id, ok: false, error: String((e && e.message) || e) }, back);
    }
    return;
  }
  if (msg.type === "lend") {
    // The lent buffers always go back, also when the run fails.
    const back = [msg.input];
    if (msg.output) back.push(msg.output);
    try {
      const input = new Float32Array(msg.input, 0, msg.inputLength);
      const feeds = { [msg.inputName]: new ort.Tensor("float32", input, msg.inputDims) };
      const size = msg.outputDims ? msg.outputDims.reduce((a, b) => a * b, 1) : 0;
      const preset = msg.output !== undefined && msg.outputDims !== undefined && msg.output.byteLength >= size * 4;
      const fetches = preset
        ? { [msg.outputName]: new ort.Tensor("float32", new Float32Array(msg.output, 0, size), msg.outputDims) }
        : [msg.outputName];
      const out = (await session.run(feeds, fetches))[msg.outputName];
      if (!out) throw new Error("the model returned no '" + msg.outputName + "' output");
      const value = { input: msg.input, type: out.type, dims: out.dims, output: null };
      if (preset) {
        value.output = msg.output; // onnxruntime wrote into it
      } else {
        if (msg.output) value.spare = msg.output;
        if (out.type === "float32") {
          const data = own(out.data);
          value.output = data.buffer;
          back.push(data.buffer);
        }
      }
      parentPort.postMessage({ id: msg.id, ok: true, value }, back);
    } catch (e) {
      parentPort.postMessage({ id: msg.id, ok: false, error: String((e && e.message) || e) }, back);
    }
    return;
  }
  try {
    if (msg.type === "create") {
      session = await ort.InferenceSession.create(msg.bytes, msg.options);
      parentPort.postMessage({ id: msg.id, ok: true, value: {
        inputNames: session.inputNames, outputNames: session.outputNames,
        inputMetadata: session.inputMetadata, outputMetadata: session.outputMetadata, labels: simd !== null } });
    } else if (msg.type === "run") {
      const feeds = {};
      for (const [name, t] of Object.entries(msg.feeds)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const { value, transfer } = wire(await session.run(feeds, msg.fetches));
      parentPort.postMessage({ id: msg.id, ok: true, value }, transfer);
    } else if (msg.type === "release") {
      if (session) await session.release();
      parentPort.postMessage({ id: msg.id, ok: true });
    }
  } catch (e) {
    parentPort.postMessage({ id: msg.id, ok: false, error: String((e && e.message) || e) });
  }
}
`;

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

interface SessionInfo {
  inputNames: string[];
  outputNames: string[];
  inputMetadata: InferenceSession.ValueMetadata[];
  outputMetadata: InferenceSession.ValueMetadata[];
  /** The worker has the SIMD kernels, so it can compute two-class labels. */
  labels: boolean;
}

interface WireTensor {
  type: Tensor.Type;
  data: Tensor.DataType;
  dims: readonly number[];
}

interface LabelsReply {
  input: ArrayBuffer;
  labels: ArrayBuffer;
  type: Tensor.Type;
  dims: readonly number[];
}

interface LendReply {
  input: ArrayBuffer;
  output: ArrayBuffer | null;
  spare?: ArrayBuffer;
  type: Tensor.Type;
  dims: readonly number[];
}

/** An `InferenceSession` whose work happens in a worker thread. */
export class WorkerSession implements BufferLendingSession, LabelLendingSession {
  readonly canComputeLabels: boolean;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly InferenceSession.ValueMetadata[];
  private released = false;

  private constructor(
    private readonly worker: Worker,
    private readonly call: (msg: Record<string, unknown>, transfer?: ArrayBuffer[]) => Promise<unknown>,
    private readonly runtime: OrtRuntime,
    info: SessionInfo,
  ) {
    this.canComputeLabels = info.labels;
    this.inputNames = info.inputNames;
    this.outputNames = info.outputNames;
    this.inputMetadata = info.inputMetadata;
    this.outputMetadata = info.outputMetadata;
  }

  /** Start a worker, load onnxruntime-node there and create the session. */
  static async create(bytes: Uint8Array, options: InferenceSession.SessionOptions, runtime: OrtRuntime): Promise<WorkerSession> {
    const ortPath = createRequire(import.meta.url).resolve("onnxruntime-node");
    const simd = simdKernels() ? assemble() : null;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath, simd } });
    worker.unref();
    let next = 0;
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    const failAll = (e: Error) => {
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    };
    // Keep the process alive only while a call is waiting (an idle, forgotten session must not).
    worker.on("message", (reply: Reply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (pending.size === 0) worker.unref();
      if (reply.ok) p.resolve(reply.value);
      else p.reject(new Error(reply.error ?? "onnxruntime worker failed"));
    });
    worker.on("error", (e) => failAll(e instanceof Error ? e : new Error(String(e))));
    worker.on("exit", (code) => failAll(new Error(`onnxruntime worker exited (code ${code})`)));
    const call = (msg: Record<string, unknown>, transfer: ArrayBuffer[] = []) =>
      new Promise<unknown>((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ ...msg, id }, transfer);
      });
    try {
      const info = (await call({ type: "create", bytes, options })) as SessionInfo;
      return new WorkerSession(worker, call, runtime, info);
    } catch (e) {
      await worker.terminate();
      throw e;
    }
  }

  async run(feeds: InferenceSession.FeedsType, fetches?: readonly string[]): Promise<InferenceSession.ReturnType> {
    const wire: Record<string, WireTensor> = {};
    for (const [name, value] of Object.entries(feeds)) {
      const t = value as Tensor;
      wire[name] = { type: t.type, data: t.data, dims: t.dims };
    }
    const out = (await this.call({ type: "run", feeds: wire, fetches })) as Record<string, WireTensor>;
    const result: Record<string, OnnxValue> = {};
    for (const [name, t] of Object.entries(out)) {
      result[name] = new this.runtime.Tensor(t.type as "float32", t.data as Float32Array, t.dims);
    }
    return result;
  }

  /**
   * Run one float32 input, moving `request.input`'s buffer (and `request.output`'s, when
   * given) to the worker and back: both are detached until the promise resolves and come back
   * as new views of the same memory in the result (on failure they are dropped).
   */
  async runLending(request: LendingRequest): Promise<LendingResult> {
    const { input, output } = request;
    const whole = (a: Float32Array) => a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
    if (!whole(input) || (output && (!whole(output) || output.buffer === input.buffer))) {
      throw new Error("runLending: the input and output must be separate, whole buffers");
    }
    const inputBuffer = input.buffer as ArrayBuffer;
    const outputBuffer = output?.buffer as ArrayBuffer | undefined;
    const reply = (await this.call(
      {
        type: "lend",
        inputName: request.inputName,
        input: inputBuffer,
        inputLength: request.inputLength,
        inputDims: request.inputDims,
        outputName: request.outputName,
        output: outputBuffer,
        outputDims: request.outputDims,
      },
      outputBuffer ? [inputBuffer, outputBuffer] : [inputBuffer],
    )) as LendReply;
    return {
      input: new Float32Array(reply.input),
      output: reply.output ? new Float32Array(reply.output) : null,
      ...(reply.spare ? { spare: new Float32Array(reply.spare) } : {}),
      type: reply.type,
      dims: reply.dims,
    };
  }

  /**
   * Like `runLending` for a two-class model whose output is only needed as labels: the model
   * writes its output into the worker's kernel memory and the worker returns, in the lent
   * `labels` buffer, `p1 > p0 ? v1 : v0` per pixel (the engine's own rule, see `simd.ts`):
   * 1 or 2 bytes per pixel come back instead of 8. Only when `canComputeLabels`.
   */
  async runLendingLabels(request: LabelLendingRequest): Promise<LabelLendingResult> {
    const { input, labels } = request;
    const whole = (a: ArrayBufferView) => a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
    if (!this.canComputeLabels) throw new Error("runLendingLabels: this worker has no SIMD kernels");
    if (!whole(input) || !whole(labels) || labels.buffer === input.buffer) throw new Error("runLendingLabels: the input and labels must be separate, whole buffers");
    const reply = (await this.call(
      {
        type: "labels",
        inputName: request.inputName,
        input: input.buffer,
        inputLength: request.inputLength,
        inputDims: request.inputDims,
        outputName: request.outputName,
        outputDims: request.outputDims,
        labels: labels.buffer,
        labelType: labels instanceof Uint16Array ? "uint16" : "uint8",
        v0: request.values[0],
        v1: request.values[1],
      },
      [input.buffer as ArrayBuffer, labels.buffer as ArrayBuffer],
    )) as LabelsReply;
    return {
      input: new Float32Array(reply.input),
      labels: labels instanceof Uint16Array ? new Uint16Array(reply.labels) : new Uint8Array(reply.labels),
      type: reply.type,
      dims: reply.dims,
    };
  }

  /** Release the session and stop the worker. Safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await this.call({ type: "release" });
    } finally {
      await this.worker.terminate();
    }
  }

  startProfiling(): void {}
  endProfiling(): void {}

  /** This object typed as an `InferenceSession` for the engine. */
  asSession(): InferenceSession {
    return this as unknown as InferenceSession;
  }
}
