/**
 * Renders a label image over its source image as 8-bit RGB: the source (grey, or the mean of
 * its colour samples) is contrast-stretched between its 0.5th and 99.5th percentiles, and each
 * labelled pixel is blended with its class colour. Used by `npm start` and the browser page.
 * Isomorphic, pure.
 */
import type { SampleArray } from "../io/types.js";

export interface OverlayClass {
  value: number;
  color: [number, number, number];
}

export interface OverlayInput {
  width: number;
  height: number;
  /** The source pixels, `samplesPerPixel` interleaved (alpha, if any, is ignored). */
  image: SampleArray;
  samplesPerPixel: number;
  labels: Uint8Array | Uint16Array;
  classes: OverlayClass[];
  /** Label values left uncoloured (e.g. the background class). */
  skipValues?: number[];
  /** Colour weight 0..1 (default 0.45). */
  opacity?: number;
}

/** Intensity (mean of the colour samples) of every pixel. */
function intensities(input: OverlayInput): Float32Array {
  const { image, samplesPerPixel: spp, width, height } = input;
  const colour = spp >= 3 ? 3 : 1;
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let s = 0; s < colour; s++) sum += image[i * spp + s] as number;
    out[i] = sum / colour;
  }
  return out;
}

/** Values at two quantiles, from a sorted sample of at most 100 000 pixels. */
function stretchRange(values: Float32Array): [number, number] {
  const step = Math.max(1, Math.floor(values.length / 100_000));
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += step) sample.push(values[i] as number);
  sample.sort((a, b) => a - b);
  const at = (q: number) => sample[Math.min(sample.length - 1, Math.floor(q * sample.length))] ?? 0;
  const lo = at(0.005);
  const hi = at(0.995);
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

export function renderOverlay(input: OverlayInput): Uint8Array {
  const { width, height, labels } = input;
  const opacity = input.opacity ?? 0.45;
  const skip = new Set(input.skipValues ?? []);
  const colours = new Map(input.classes.filter((c) => !skip.has(c.value)).map((c) => [c.value, c.color]));
  const grey = intensities(input);
  const [lo, hi] = stretchRange(grey);
  const scale = 255 / (hi - lo);
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const g = Math.min(255, Math.max(0, (grey[i]! - lo) * scale));
    const c = colours.get(labels[i]!);
    for (let k = 0; k < 3; k++) rgb[i * 3 + k] = Math.round(c ? g * (1 - opacity) + c[k]! * opacity : g);
  }
  return rgb;
}
