/**
 * Choosing the execution provider (`engine/node/device.ts`) with an injected session factory:
 * `auto` takes CUDA when it loads and falls back to the CPU saying why; an explicit device that
 * cannot load is one UNSUPPORTED line naming it, unless the CPU cannot open the model either;
 * onnxruntime's source location is cut from its messages. Plus the real onnxruntime-node here
 * (installed without CUDA binaries): `cuda` is refused before any session is tried.
 */
import { describe, expect, it } from "vitest";
import { CUDA_NOT_INSTALLED, openOnDevice, shortReason } from "../../src/engine/node/device.js";
import { readModelFile } from "../../src/index.js";
import { testdata } from "../helpers/paths.js";
import * as ort from "onnxruntime-node";

interface Fake {
  providers: string[];
  released: boolean;
  release(): Promise<void>;
}

/** A factory whose sessions load only on `works` providers; records each attempt. */
function factory(works: string[], tried: string[][] = []) {
  const create = async (providers: string[]): Promise<Fake> => {
    tried.push(providers);
    if (!works.includes(providers[0]!)) throw new Error(`provider ${providers[0]} failed`);
    const s: Fake = {
      providers,
      released: false,
      release: async () => {
        s.released = true;
      },
    };
    return s;
  };
  return { create, tried };
}

const WEBGPU_ERROR =
  "/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\n";

describe("openOnDevice", () => {
  it("auto: CUDA when its provider loads, else the CPU with the reason", async () => {
    const gpu = factory(["cuda", "cpu"]);
    const onGpu = await openOnDevice("auto", gpu.create, { cudaInstalled: () => true });
    expect([onGpu.device, onGpu.fallback, gpu.tried]).toEqual(["cuda", undefined, [["cuda"]]]);

    const broken = factory(["cpu"]);
    const onCpu = await openOnDevice("auto", broken.create, { cudaInstalled: () => true });
    expect([onCpu.device, onCpu.fallback, broken.tried]).toEqual(["cpu", "provider cuda failed", [["cuda"], ["cpu"]]]);

    const plain = factory(["cpu"]);
    const noCuda = await openOnDevice("auto", plain.create, { cudaInstalled: () => false });
    expect([noCuda.device, noCuda.fallback, plain.tried]).toEqual(["cpu", CUDA_NOT_INSTALLED, [["cpu"]]]);
  });

  it("an explicit device that does not load is one UNSUPPORTED line naming it; the CPU probe is released", async () => {
    const { create, tried } = factory(["cpu"]);
    const e = await openOnDevice("cuda", create, { cudaInstalled: () => true }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "UNSUPPORTED", where: "--device" });
    expect((e as Error).message).toBe(
      "--device: the CUDA execution provider is not available: provider cuda failed; install onnxruntime-node with its CUDA binaries and run on a machine with an NVIDIA GPU, CUDA 12 and cuDNN 9 (see docs/gpu.md)",
    );
    expect(tried).toEqual([["cuda"], ["cpu"]]);

    const missing = factory(["cpu"]);
    await expect(openOnDevice("cuda", missing.create, { cudaInstalled: () => false })).rejects.toThrow(CUDA_NOT_INSTALLED);
    expect(missing.tried).toEqual([]);
  });

  it("keeps the model's own error when the CPU cannot open the model either", async () => {
    const { create } = factory([]);
    await expect(openOnDevice("webgpu", create)).rejects.toThrow("provider cpu failed");
  });

  it("cpu asks for the CPU provider only", async () => {
    const { create, tried } = factory(["cpu"]);
    expect((await openOnDevice("cpu", create)).device).toBe("cpu");
    expect(tried).toEqual([["cpu"]]);
  });

  it("cuts onnxruntime's source location from its messages", () => {
    expect(shortReason(new Error(WEBGPU_ERROR))).toBe("Failed to get a WebGPU adapter: No supported adapters");
    expect(shortReason(new Error("OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library"))).toBe(
      "OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library",
    );
  });

  it("real onnxruntime-node without CUDA binaries: auto runs on the CPU, cuda is refused", async () => {
    const file = await readModelFile(testdata("models", "simple_nuclei_segmodel.czann"));
    const onnx = new Uint8Array(file.modelBytes);
    const create = (executionProviders: string[]) => ort.InferenceSession.create(onnx, { executionProviders });
    const auto = await openOnDevice("auto", create);
    expect([auto.device, auto.fallback]).toEqual(["cpu", CUDA_NOT_INSTALLED]);
    await auto.session.release();
    await expect(openOnDevice("cuda", create)).rejects.toThrow(/the CUDA execution provider is not available/);
  });
});
