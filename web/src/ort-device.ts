/**
 * Which onnxruntime-web build runs a prediction in the page's worker (docs/gpu.md, "In the
 * browser"): the wasm-only build, imported statically and always there, or onnxruntime-web's
 * WebGPU build, imported on first use (`import("onnxruntime-web/webgpu")`, a separate chunk plus
 * its own 27 MB asyncify wasm), so that the wasm path loads nothing more than before.
 * `auto` takes WebGPU when the worker has `navigator.gpu` and an adapter, else wasm with the
 * reason; an explicit `webgpu` that cannot be had is one clear error.
 */
import type { InferenceSession } from "onnxruntime-common";
import * as wasmOrt from "onnxruntime-web/wasm";
import type { OrtRuntime } from "../../src/engine/index.js";
import { unsupported } from "../../src/errors.js";
import type { DeviceChoice, RunDevice } from "./protocol.js";

/** The runtime a prediction runs with, where, and why `auto` did not take WebGPU. */
export interface DeviceRuntime {
  device: RunDevice;
  runtime: OrtRuntime;
  sessionOptions?: InferenceSession.SessionOptions;
  fallback?: string;
}

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

const settings = { ortBase: "", threads: 1 };
let webgpuModule: Promise<OrtRuntime & { env: typeof wasmOrt.env }> | undefined;

/** Where the wasm files are and how many threads both builds use. */
export function configureOrt(ortBase: string, threads: number): void {
  settings.ortBase = ortBase;
  settings.threads = threads;
  wasmOrt.env.wasm.wasmPaths = ortBase;
  wasmOrt.env.wasm.numThreads = threads;
}

/** The wasm-only runtime (also what the numeric check and the package import use). */
export const wasmRuntime: OrtRuntime = wasmOrt;

/** Why WebGPU cannot be used here, or undefined when an adapter was obtained. */
async function webgpuProblem(): Promise<string | undefined> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return "this browser has no WebGPU (navigator.gpu is missing)";
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? undefined : "navigator.gpu.requestAdapter() found no WebGPU adapter";
  } catch (e) {
    return `navigator.gpu.requestAdapter() failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

async function loadWebgpu(): Promise<OrtRuntime> {
  webgpuModule ??= import("onnxruntime-web/webgpu").then((m) => {
    m.env.wasm.wasmPaths = settings.ortBase;
    m.env.wasm.numThreads = settings.threads;
    return m;
  });
  try {
    return await webgpuModule;
  } catch (e) {
    webgpuModule = undefined;
    throw e;
  }
}

/** The runtime for a device choice: WebGPU's build and provider, or the wasm build. */
export async function runtimeFor(choice: DeviceChoice): Promise<DeviceRuntime> {
  if (choice === "wasm") return { device: "wasm", runtime: wasmOrt };
  let problem = await webgpuProblem();
  if (!problem) {
    try {
      const runtime = await loadWebgpu();
      return { device: "webgpu", runtime, sessionOptions: { executionProviders: ["webgpu"] } };
    } catch (e) {
      problem = `onnxruntime-web's WebGPU build did not load: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  if (choice === "webgpu") throw unsupported(problem, { where: "device webgpu", allowed: "auto or wasm" });
  return { device: "wasm", runtime: wasmOrt, fallback: `WebGPU not used: ${problem}` };
}
