/**
 * The cover image of an exported package (PNG, 8-bit RGB, at most 512 pixels high): for a
 * segmentation model the test input with ZEN's labels drawn over it in the class colours
 * (background classes left uncoloured), for a regression model the test input and the
 * model's output side by side (2:1, the aspect bioimage.io asks for), each contrast-stretched.
 * Isomorphic.
 */
import { encode } from "fast-png";
import { renderOverlay } from "../render/overlay.js";
import type { ExportPlan } from "./export-plan.js";
import type { TestInput, TestRun } from "./export-tensors.js";

/** Longest side of one cover panel. */
export const COVER_PANEL_SIZE = 512;

/** Box-filter an RGB image down by an integer factor. */
function shrink(rgb: Uint8Array, width: number, height: number, f: number): { data: Uint8Array; width: number; height: number } {
  if (f <= 1) return { data: rgb, width, height };
  const w = Math.floor(width / f);
  const h = Math.floor(height / f);
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < 3; k++) {
        let sum = 0;
        for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) sum += rgb[((y * f + dy) * width + x * f + dx) * 3 + k]!;
        out[(y * w + x) * 3 + k] = Math.round(sum / (f * f));
      }
    }
  }
  return { data: out, width: w, height: h };
}

function sideBySide(a: Uint8Array, b: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(2 * width * height * 3);
  const row = width * 3;
  for (let y = 0; y < height; y++) {
    out.set(a.subarray(y * row, (y + 1) * row), 2 * y * row);
    out.set(b.subarray(y * row, (y + 1) * row), 2 * y * row + row);
  }
  return out;
}

/** The cover PNG of the package. */
export function coverPng(plan: ExportPlan, input: TestInput, run: TestRun): Uint8Array {
  const { width, height } = input;
  const f = Math.ceil(Math.max(width, height) / COVER_PANEL_SIZE);
  const none = new Uint8Array(width * height);
  const inputRgb = (labels: Uint8Array | Uint16Array, classes: { value: number; color: [number, number, number] }[], skip: number[]) =>
    renderOverlay({ width, height, image: input.data, samplesPerPixel: plan.inputChannels, labels, classes, skipValues: skip });
  if (plan.classes && run.labels) {
    const skip = plan.classes.filter((c) => /^background$/i.test(c.name.trim())).map((c) => c.value);
    const small = shrink(inputRgb(run.labels, plan.classes, skip), width, height, f);
    return encode({ width: small.width, height: small.height, data: small.data, channels: 3, depth: 8 });
  }
  const left = shrink(inputRgb(none, [], []), width, height, f);
  const outRgb = renderOverlay({ width, height, image: run.output, samplesPerPixel: plan.outputChannels, labels: none, classes: [] });
  const right = shrink(outRgb, width, height, f);
  return encode({ width: 2 * left.width, height: left.height, data: sideBySide(left.data, right.data, left.width, left.height), channels: 3, depth: 8 });
}
