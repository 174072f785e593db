/**
 * An onnxruntime-node session that runs in a worker thread, so the JS thread stays free
 * while a batch runs (onnxruntime-node's own `run` is a synchronous native call made inside
 * `setImmediate`, which blocks the event loop for the whole batch). With it the engine really
 * reads and converts the next batch, and writes finished bands, while the model runs.
 *
 * The proxy implements the parts of `InferenceSession` the engine uses (names, metadata,
 * `run`, `release`); input tensors are copied to the worker, outputs are transferred back.
 * Node-only.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { InferenceSession, OnnxValue, Tensor } from "onnxruntime-common";
import type { OrtRuntime } from "../types.js";

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const ort = require(workerData.ortPath);
let session;
parentPort.on("message", async (msg) => {
  try {
    if (msg.type === "create") {
      session = await ort.InferenceSession.create(msg.bytes, msg.options);
      parentPort.postMessage({ id: msg.id, ok: true, value: {
        inputNames: session.inputNames, outputNames: session.outputNames,
        inputMetadata: session.inputMetadata, outputMetadata: session.outputMetadata } });
    } else if (msg.type === "run") {
      const feeds = {};
      for (const [name, t] of Object.entries(msg.feeds)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const out = await session.run(feeds, msg.fetches);
      const value = {};
      const transfer = [];
      for (const [name, t] of Object.entries(out)) {
        value[name] = { type: t.type, data: t.data, dims: t.dims };
        if (t.data && t.data.buffer && !transfer.includes(t.data.buffer)) transfer.push(t.data.buffer);
      }
      parentPort.postMessage({ id: msg.id, ok: true, value }, transfer);
    } else if (msg.type === "release") {
      if (session) await session.release();
      parentPort.postMessage({ id: msg.id, ok: true });
    }
  } catch (e) {
    parentPort.postMessage({ id: msg.id, ok: false, error: String((e && e.message) || e) });
  }
});
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
}

interface WireTensor {
  type: Tensor.Type;
  data: Tensor.DataType;
  dims: readonly number[];
}

/** An `InferenceSession` whose work happens in a worker thread. */
export class WorkerSession {
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
    this.inputNames = info.inputNames;
    this.outputNames = info.outputNames;
    this.inputMetadata = info.inputMetadata;
    this.outputMetadata = info.outputMetadata;
  }

  /** Start a worker, load onnxruntime-node there and create the session. */
  static async create(bytes: Uint8Array, options: InferenceSession.SessionOptions, runtime: OrtRuntime): Promise<WorkerSession> {
    const ortPath = createRequire(import.meta.url).resolve("onnxruntime-node");
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath } });
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
