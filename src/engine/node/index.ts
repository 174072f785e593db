/**
 * Node convenience for the engine: onnxruntime-node as the runtime, and `predictNode`, which
 * is `predict` with that runtime filled in and, for large images, the session running in a
 * worker thread (`WorkerSession`) so reading, converting and writing tiles overlap the model
 * run (a worker costs ~0.1 s to start, so small images run in the main thread by default).
 * Sessions get `NODE_SESSION_OPTIONS` (also used by the runtime-only benchmark) and the
 * execution provider of `device` (`device.ts`; `auto`: CUDA when it loads, else the CPU).
 * Node-only (imports onnxruntime-node and node:worker_threads).
 */
import { ort } from "../../onnx/node/runtime.js";
import type { ImageSink, ImageSource } from "../../io/types.js";
import { predict } from "../predict.js";
import type { EngineModel, OrtRuntime, PredictOptions, PredictResult, SinkPair } from "../types.js";
import type { InferenceSession } from "onnxruntime-common";
import { type Device, openOnDevice } from "./device.js";
import { nodeSessionOptions } from "./session-options.js";
import { WorkerSession } from "./worker-session.js";

export { WorkerSession } from "./worker-session.js";
export { nodeSessionOptions } from "./session-options.js";

/** onnxruntime-node, typed as the engine's runtime. */
export const nodeRuntime: OrtRuntime = ort;

export type NodePredictOptions = Omit<PredictOptions, "runtime"> & {
  runtime?: OrtRuntime;
  /**
   * Run the session in a worker thread: `auto` (default) when the image has at least
   * `WORKER_MIN_MEGAPIXELS` pixels over all planes. Ignored when `createSession` is given.
   */
  worker?: boolean | "auto";
  /**
   * Execution provider (`device.ts`): `auto` (default: CUDA when its provider loads, else the
   * CPU), `cpu`, `cuda`, `webgpu`. Ignored when `createSession` is given.
   */
  device?: Device;
};

/** Image size (all planes) from which `worker: "auto"` uses a worker thread. */
const WORKER_MIN_MEGAPIXELS = 4;

function wantsWorker(choice: boolean | "auto", source: ImageSource): boolean {
  if (choice !== "auto") return choice;
  const { width, height, sizes } = source.info;
  return (width * height * sizes.scene * sizes.t * sizes.c * sizes.z) / 1e6 >= WORKER_MIN_MEGAPIXELS;
}

/** `predict` running on onnxruntime-node. */
export async function predictNode(
  model: EngineModel,
  source: ImageSource,
  sink: ImageSink | SinkPair,
  options: NodePredictOptions = {},
): Promise<PredictResult> {
  const { worker = "auto", runtime = nodeRuntime, device = "auto", ...rest } = options;
  if (rest.createSession)
    return predict(model, source, sink, { ...rest, sessionOptions: nodeSessionOptions(undefined, rest.sessionOptions), runtime });
  const inWorker = wantsWorker(worker, source);
  let opened: { release(): Promise<void> } | undefined;
  let ran: { device: string; fallback?: string } | undefined;
  const createSession = async ({ threads }: { threads?: number }): Promise<InferenceSession> => {
    const create = async (executionProviders: string[]) => {
      const options = nodeSessionOptions(threads, { ...rest.sessionOptions, executionProviders });
      return inWorker ? WorkerSession.create(model.onnx, options, runtime) : runtime.InferenceSession.create(model.onnx, options);
    };
    const { session, device: on, fallback } = await openOnDevice(device, create);
    opened = session;
    ran = { device: on, ...(fallback ? { fallback } : {}) };
    return session instanceof WorkerSession ? session.asSession() : session;
  };
  try {
    const result = await predict(model, source, sink, { ...rest, runtime, createSession });
    return { ...result, device: ran?.device ?? "cpu", ...(ran?.fallback ? { deviceFallback: ran.fallback } : {}) };
  } finally {
    await opened?.release().catch(() => undefined);
  }
}
