/**
 * The cover image of an exported package (PNG, 8-bit RGB, at most 512 pixels high and, as
 * bioimage.io asks, under 500 KB: shrunk by integer factors until it is): for a
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
const COVER_PANEL_SIZE = 512;

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

/** bioimage.io asks for covers smaller than 500 KB. */
const COVER_MAX_BYTES = 500_000;

/** The cover PNG of the package: panels of at most 512 pixels, shrunk further until the file is under 500 KB. */
export function coverPng(plan: ExportPlan, input: TestInput, run: TestRun): Uint8Array {
  const { width, height } = input;
  const none = new Uint8Array(width * height);
  let panels: Uint8Array[];
  if (plan.classes && run.labels) {
    const skip = plan.classes.filter((c) => /^background$/i.test(c.name.trim())).map((c) => c.value);
    panels = [
      renderOverlay({
        width,
        height,
        image: input.data,
        samplesPerPixel: plan.inputChannels,
        labels: run.labels,
        classes: plan.classes,
        skipValues: skip,
      }),
    ];
  } else {
    panels = [
      renderOverlay({ width, height, image: input.data, samplesPerPixel: plan.inputChannels, labels: none, classes: [] }),
      renderOverlay({ width, height, image: run.output, samplesPerPixel: plan.outputChannels, labels: none, classes: [] }),
    ];
  }
  let png: Uint8Array = new Uint8Array(0);
  for (let f = Math.ceil(Math.max(width, height) / COVER_PANEL_SIZE); f <= Math.max(width, height); f++) {
    const small = panels.map((p) => shrink(p, width, height, f));
    const [a, b] = small as [ReturnType<typeof shrink>, ReturnType<typeof shrink> | undefined];
    png = encode({
      width: small.length * a.width,
      height: a.height,
      data: b ? sideBySide(a.data, b.data, a.width, a.height) : a.data,
      channels: 3,
      depth: 8,
    });
    if (png.length < COVER_MAX_BYTES) break;
  }
  return png;
}
