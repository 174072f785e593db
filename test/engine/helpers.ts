/**
 * Test helpers for the engine: model bytes out of a .czann/.czseg (the container reader),
 * PNG test images as in-memory sources (decoded with fast-png directly, independent of our
 * PNG reader), fixture files, and the quality measures the acceptance tests use (IoU, PSNR).
 */
import { readFile } from "node:fs/promises";
import { decode } from "fast-png";
import { readModelFile } from "../../src/container/node/index.js";
import { MemoryImageSource } from "../../src/io/memory/index.js";
import type { SampleOrder } from "../../src/io/types.js";
import type { EngineModel } from "../../src/engine/types.js";
import { fixture, testdata } from "../helpers/paths.js";

/** The ONNX payload of a model file, read by the container reader. */
export async function modelBytes(path: string): Promise<Uint8Array> {
  return (await readModelFile(path)).modelBytes;
}

export interface DecodedPng {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array | Uint16Array;
}

export async function readPng(path: string): Promise<DecodedPng> {
  const png = decode(await readFile(path));
  if (png.palette) throw new Error(`${path}: palette PNGs are not used here`);
  return { width: png.width, height: png.height, channels: png.channels, data: png.data as Uint8Array | Uint16Array };
}

const ORDERS: Record<number, SampleOrder> = { 1: "gray", 2: "gray-alpha", 3: "rgb", 4: "rgba" };

export async function pngSource(path: string): Promise<MemoryImageSource> {
  const png = await readPng(path);
  return new MemoryImageSource({
    width: png.width,
    height: png.height,
    planes: [png.data],
    samplesPerPixel: png.channels,
    sampleOrder: ORDERS[png.channels]!,
    format: "png",
  });
}

export async function fixtureBytes(name: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(fixture("engine", name)));
}

/** Little-endian raw fixture as a typed array. */
export async function rawFixture<T>(name: string, make: (b: ArrayBuffer) => T): Promise<T> {
  const buf = await readFile(fixture("engine", name));
  return make(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/** Intersection over union of two boolean masks given as predicates over pixel indices. */
export function iou(n: number, a: (i: number) => boolean, b: (i: number) => boolean): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < n; i++) {
    const x = a(i);
    const y = b(i);
    if (x && y) inter++;
    if (x || y) union++;
  }
  return inter / union;
}

/** PSNR in dB of `a` against reference `b`, both in [0, 1] (data range 1). */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    se += d * d;
  }
  return 10 * Math.log10(1 / (se / a.length));
}

/** The real nuclei model (simple_nuclei_segmodel.czann) as the engine takes it: 1024² tiles, border 4, two classes. */
export async function nucleiEngineModel(): Promise<EngineModel> {
  return {
    name: "Simple_Nuclei_SegmentationModel",
    kind: "segmentation",
    onnx: await modelBytes(testdata("models", "simple_nuclei_segmodel.czann")),
    tile: [1024, 1024],
    border: [4, 4],
    inputChannels: 1,
    outputChannels: 2,
    classes: [{ name: "Background" }, { name: "Nucleus" }],
    scaleInputs: true,
  };
}

/** The real PyTorch-made nuclei model (simple_nuclei_segmodel_pytorch.czann): 512² tiles, MinOverlap 64 (border 32), two classes. */
export async function pytorchNucleiEngineModel(): Promise<EngineModel> {
  return {
    name: "Simple_Nuclei_SegmentationModel",
    kind: "segmentation",
    onnx: await modelBytes(testdata("models", "simple_pytorch_nuclei_segmodel_pytorch.czann")),
    tile: [512, 512],
    border: [32, 32],
    inputChannels: 1,
    outputChannels: 2,
    classes: [{ name: "Background" }, { name: "Nucleus" }],
    scaleInputs: true,
  };
}
