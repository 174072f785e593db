/**
 * The test-tensor check of an imported model: the ZEN model file is read back and run by the
 * prediction engine on the package's test input exactly as ZEN feeds it (NHWC tiles, divided
 * by the pixel type's range, BGR order), and its output is compared with the package's test
 * output by bioimage.io's rule: an element mismatches when |actual − expected| > atol +
 * rtol·|expected|, and the check fails when more than the allowed mismatched elements per
 * million do (defaults 1e-3 / 1e-3 / 100, or the package's `reproducibility_tolerance` for
 * ONNX weights and this output). Also reported: the largest absolute difference and the
 * pixels whose label changes (threshold 0.5 for a sigmoid pair, argmax for classes).
 * Isomorphic (the ONNX runtime is passed in).
 */
import { readModelFileBytes } from "../container/read-model-bytes.js";
import { engineModelFromFile } from "../engine/from-model-file.js";
import { predict } from "../engine/predict.js";
import type { OrtRuntime } from "../engine/types.js";
import { invalidArgument } from "../errors.js";
import { MemoryImageSink, MemoryImageSource } from "../io/memory/index.js";
import type { SampleArray } from "../io/types.js";
import { DEFAULT_TOLERANCE, type ModelDescription, type Tolerance } from "./description.js";
import type { NpyArray } from "./npy.js";
import type { ZenImportPlan } from "./to-zen.js";

export interface TestTensorResult {
  passed: boolean;
  tolerance: Tolerance;
  elements: number;
  mismatched: number;
  mismatchedPerMillion: number;
  maxAbsDiff: number;
  /** Pixels whose label differs between the package's output and ZEN's (segmentation only). */
  labelFlips?: number;
  pixels: number;
}

/** The tolerance the package sets for ONNX weights and this output, else bioimage.io's default. */
export function toleranceFor(desc: ModelDescription, outputId: string): Tolerance {
  return (
    desc.reproducibilityTolerance.find(
      (t) =>
        (t.weightsFormats.length === 0 || t.weightsFormats.includes("onnx")) &&
        (t.outputIds.length === 0 || t.outputIds.includes(outputId)),
    ) ?? DEFAULT_TOLERANCE
  );
}

interface Planar {
  height: number;
  width: number;
  channels: number;
  /** value of channel c at pixel i */
  at(c: number, i: number): number;
}

/** A 4-D test tensor `[1, C, H, W]` or `[1, H, W, C]` as planar access. */
function planar(t: NpyArray, channelsFirst: boolean, where: string): Planar {
  if (t.shape.length !== 4 || t.shape[0] !== 1)
    throw invalidArgument(`test tensor of shape [${t.shape.join(", ")}]; expected 4 axes with batch 1`, { where });
  const [, a, b, c] = t.shape as [number, number, number, number];
  const d = t.data;
  if (channelsFirst) return { channels: a, height: b, width: c, at: (ch, i) => d[ch * b * c + i] as number };
  return { height: a, width: b, channels: c, at: (ch, i) => d[i * c + ch] as number };
}

/** The test input as an interleaved image of the plan's pixel type. */
function testImage(p: Planar, plan: ZenImportPlan, where: string): MemoryImageSource {
  const n = p.width * p.height;
  const out: SampleArray =
    plan.pixelType === "uint8"
      ? new Uint8Array(n * p.channels)
      : plan.pixelType === "uint16"
        ? new Uint16Array(n * p.channels)
        : new Float32Array(n * p.channels);
  const max = plan.pixelType === "uint8" ? 255 : 65535;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < p.channels; c++) {
      const v = p.at(c, i);
      if (plan.pixelType !== "float32" && !(Number.isInteger(v) && v >= 0 && v <= max)) {
        throw invalidArgument(`the test input holds ${v}, which is not a ${plan.pixelType} value`, {
          where,
          allowed: "--pixel-type float32, or the pixel type of the images the model was made for",
        });
      }
      out[i * p.channels + c] = v;
    }
  }
  return new MemoryImageSource({
    width: p.width,
    height: p.height,
    planes: [out],
    samplesPerPixel: p.channels,
    ...(p.channels === 2 ? { sampleOrder: "gray-alpha" as const } : {}),
  });
}

export async function checkTestTensors(
  archive: Uint8Array,
  plan: ZenImportPlan,
  testInput: NpyArray,
  testOutput: NpyArray,
  tolerance: Tolerance,
  runtime: OrtRuntime,
  where: string,
): Promise<TestTensorResult> {
  const input = planar(testInput, plan.channelsFirst, `${where}: test input`);
  const expected = planar(testOutput, plan.channelsFirst, `${where}: test output`);
  if (expected.height !== input.height || expected.width !== input.width) {
    throw invalidArgument(`the test output is ${expected.height}×${expected.width} but the test input ${input.height}×${input.width}`, {
      where,
    });
  }
  const { model } = engineModelFromFile(await readModelFileBytes(archive, "imported model"));
  const sink = new MemoryImageSink();
  await predict(model, testImage(input, plan, where), sink, {
    runtime,
    output: model.kind === "segmentation" ? "probabilities" : "labels",
  });
  const actual = sink.plane({ scene: 0, t: 0, c: 0, z: 0 }) as Float32Array;
  const k = actual.length / (input.width * input.height);
  const pixels = input.width * input.height;
  const compared = plan.outputMapping === "first-of-pair" ? 1 : expected.channels;
  if (compared > k) throw invalidArgument(`the test output has ${expected.channels} channels but the model gives ${k}`, { where });
  let mismatched = 0;
  let maxAbsDiff = 0;
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < compared; c++) {
      const e = expected.at(c, i);
      const a = actual[i * k + c]!;
      const d = Math.abs(a - e);
      if (!(d <= maxAbsDiff)) maxAbsDiff = Number.isNaN(d) ? Infinity : d;
      if (!(d <= tolerance.absolute + tolerance.relative * Math.abs(e))) mismatched++;
    }
  }
  const elements = pixels * compared;
  const perMillion = (mismatched / elements) * 1e6;
  return {
    passed: perMillion <= tolerance.mismatchedPerMillion,
    tolerance,
    elements,
    mismatched,
    mismatchedPerMillion: perMillion,
    maxAbsDiff,
    ...(model.kind === "segmentation" ? { labelFlips: labelFlips(expected, actual, k, plan, pixels) } : {}),
    pixels,
  };
}

function labelFlips(expected: Planar, actual: Float32Array, k: number, plan: ZenImportPlan, pixels: number): number {
  let flips = 0;
  for (let i = 0; i < pixels; i++) {
    if (plan.outputMapping === "first-of-pair") {
      if (expected.at(0, i) > 0.5 !== actual[i * k]! > 0.5) flips++;
      continue;
    }
    let be = 0;
    let ba = 0;
    for (let c = 1; c < k; c++) {
      if (expected.at(c, i) > expected.at(be, i)) be = c;
      if (actual[i * k + c]! > actual[i * k + ba]!) ba = c;
    }
    if (be !== ba) flips++;
  }
  return flips;
}
