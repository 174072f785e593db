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
 * pixel (no 8 MB copy per 1024² tile on the main thread). The worker's code is
 * `session-worker.ts`; the messages are typed in `worker-protocol.ts`. Node-only.
 */
import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";
import type { InferenceSession, OnnxValue, Tensor } from "onnxruntime-common";
import { startModuleWorker } from "../../bytes/node/module-worker.js";
import type {
  BufferLendingSession,
  LabelLendingRequest,
  LabelLendingResult,
  LabelLendingSession,
  LendingRequest,
  LendingResult,
} from "../session.js";
import { assemble, simdKernels } from "../simd.js";
import type { OrtRuntime } from "../types.js";
import type { LabelsReply, LendReply, SessionInfo, SessionWorkerData, WireTensor, WorkerReply, WorkerRequest } from "./worker-protocol.js";

/**
 * Start the worker of `session-worker.ts` (beside this module, see `startModuleWorker`).
 * From sources, onnxruntime-node is required before tsx's hook, so that its many files skip it.
 */
function startWorker(simd: Uint8Array<ArrayBuffer> | null): Worker {
  const here = import.meta.url;
  const workerData: SessionWorkerData = { ortPath: createRequire(here).resolve("onnxruntime-node"), simd };
  return startModuleWorker(here, "session-worker", { workerData, preload: [workerData.ortPath] });
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
    private readonly call: (msg: WorkerRequest, transfer?: ArrayBuffer[]) => Promise<unknown>,
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
    const worker = startWorker(simdKernels() ? assemble() : null);
    worker.unref();
    let next = 0;
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    const failAll = (e: Error) => {
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    };
    // Keep the process alive only while a call is waiting (an idle, forgotten session must not).
    worker.on("message", (reply: WorkerReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (pending.size === 0) worker.unref();
      if (reply.ok) p.resolve(reply.value);
      else p.reject(new Error(reply.error || "onnxruntime worker failed"));
    });
    worker.on("error", (e) => failAll(e instanceof Error ? e : new Error(String(e))));
    worker.on("exit", (code) => failAll(new Error(`onnxruntime worker exited (code ${code})`)));
    const call = (msg: WorkerRequest, transfer: ArrayBuffer[] = []) =>
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
    if (!whole(input) || !whole(labels) || labels.buffer === input.buffer)
      throw new Error("runLendingLabels: the input and labels must be separate, whole buffers");
    const inputBuffer = input.buffer as ArrayBuffer;
    const labelBuffer = labels.buffer as ArrayBuffer;
    const reply = (await this.call(
      {
        type: "labels",
        inputName: request.inputName,
        input: inputBuffer,
        inputLength: request.inputLength,
        inputDims: request.inputDims,
        outputName: request.outputName,
        outputDims: request.outputDims,
        labels: labelBuffer,
        labelType: labels instanceof Uint16Array ? "uint16" : "uint8",
        v0: request.values[0],
        v1: request.values[1],
      },
      [inputBuffer, labelBuffer],
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
