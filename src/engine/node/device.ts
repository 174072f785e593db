/**
 * Which onnxruntime-node execution provider runs a session (`device`): `cpu`; `cuda` (needs
 * onnxruntime-node's CUDA provider libraries, which its install step downloads, a GPU and
 * CUDA 12 with cuDNN 9, docs/gpu.md); `webgpu` (bundled with onnxruntime-node on Linux x64,
 * Windows and macOS, experimental there); `auto`: CUDA when its provider loads, else the CPU.
 * Whether the CUDA libraries are installed is a file check, so `auto` on a machine without
 * them costs no failed session (and onnxruntime logs nothing). An explicit device that does
 * not load is refused in one line, unless the CPU cannot open the model either (then the
 * model is at fault and that error stands). Node-only.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describeError, isCzmodelError, unsupported } from "../../errors.js";

export const DEVICES = ["auto", "cpu", "cuda", "webgpu"] as const;
export type Device = (typeof DEVICES)[number];
/** The provider a session actually runs on. */
type RanOn = Exclude<Device, "auto">;

const NAMES: Record<RanOn, string> = { cpu: "CPU", cuda: "CUDA", webgpu: "WebGPU" };

let cudaPath: string | undefined;

/** Where onnxruntime-node keeps its CUDA provider library (present only when its install step fetched it). */
function cudaProviderPath(): string {
  cudaPath ??= findCudaProvider();
  return cudaPath;
}

function findCudaProvider(): string {
  const main = createRequire(import.meta.url).resolve("onnxruntime-node");
  const bin = join(dirname(main), "..", "bin", "napi-v6", process.platform, process.arch);
  return join(bin, process.platform === "win32" ? "onnxruntime_providers_cuda.dll" : "libonnxruntime_providers_cuda.so");
}

/** onnxruntime's message without its source location ("/onnxruntime_src/…cc:136 … was false. "). */
export function shortReason(e: unknown): string {
  const text = describeError(e).trim();
  const m = /^\/\S+:\d+ [\s\S]*? was false\. ([\s\S]+)$/.exec(text);
  return (m ? m[1]! : text).split("\n")[0]!.trim();
}

export interface DeviceSession<S> {
  session: S;
  device: RanOn;
  /** Why `auto` ran on the CPU (CUDA missing or failing to load). */
  fallback?: string;
}

export interface OpenOnDeviceOptions {
  /** Whether the CUDA provider library is installed (default: `cudaProviderPath()` exists). */
  cudaInstalled?: () => boolean;
}

/** The fallback reason when the CUDA provider libraries are missing (a plain CPU install). */
export const CUDA_NOT_INSTALLED = "onnxruntime-node was installed without its CUDA provider libraries";

function unavailable(device: RanOn, reason: string): Error {
  const how =
    device === "cuda"
      ? "install onnxruntime-node with its CUDA binaries and run on a machine with an NVIDIA GPU, CUDA 12 and cuDNN 9 (see docs/gpu.md)"
      : "WebGPU in Node is experimental in onnxruntime-node and needs a GPU adapter (Vulkan on Linux); see docs/gpu.md";
  return unsupported(`the ${NAMES[device]} execution provider is not available: ${reason}; ${how}`, { where: "--device" });
}

/** Create a session on `device` with `create(executionProviders)`. */
export async function openOnDevice<S extends { release(): Promise<void> }>(
  device: Device,
  create: (providers: string[]) => Promise<S>,
  options: OpenOnDeviceOptions = {},
): Promise<DeviceSession<S>> {
  const cudaInstalled = options.cudaInstalled ?? (() => existsSync(cudaProviderPath()));
  if (device === "cpu") return { session: await create(["cpu"]), device: "cpu" };
  if (device === "auto") {
    let fallback = CUDA_NOT_INSTALLED;
    if (cudaInstalled()) {
      try {
        return { session: await create(["cuda"]), device: "cuda" };
      } catch (e) {
        fallback = shortReason(e);
      }
    }
    return { session: await create(["cpu"]), device: "cpu", fallback };
  }
  if (!DEVICES.includes(device))
    throw unsupported(`device '${String(device)}' is not known`, { where: "--device", allowed: DEVICES.join(", ") });
  if (device === "cuda" && !cudaInstalled()) throw unavailable(device, CUDA_NOT_INSTALLED);
  try {
    return { session: await create([device]), device };
  } catch (e) {
    if (isCzmodelError(e)) throw e;
    const cpu = await create(["cpu"]); // throws the model's own error when the CPU cannot open it either
    await cpu.release().catch(() => undefined);
    throw unavailable(device, shortReason(e));
  }
}
