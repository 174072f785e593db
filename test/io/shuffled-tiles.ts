/**
 * Test helper: writes a whole output to a sink as irregular rectangles (`writeTile`) in a
 * seeded random order across all planes — the hardest order a chunked sink can get — and
 * returns the canonical arrays per scene (T, C·K, Z, Y, X) that an independent reader must see.
 */
import { allocSamples, writesTiles, type ImageSink, type OutputImageInfo, type SampleArray } from "../../src/io/types.js";

export type SampleAt = (s: number, t: number, c: number, z: number, y: number, x: number, k: number) => number;

/** Cut `[0, n)` at seeded random places into pieces of 1..`max` (some of them cross chunk borders). */
function cuts(n: number, max: number, rand: () => number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = 0; a < n; ) {
    const b = Math.min(n, a + 1 + Math.floor(rand() * max));
    out.push([a, b]);
    a = b;
  }
  return out;
}

export async function writeShuffledTiles(sink: ImageSink, info: OutputImageInfo, f: SampleAt, seed = 1): Promise<SampleArray[]> {
  if (!writesTiles(sink)) throw new Error("the sink does not take rectangles");
  let state = seed >>> 0 || 1;
  const rand = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const { t: T, c: C, z: Z, scene: S } = info.sizes;
  const K = info.samplesPerPixel;
  const { width: W, height: H } = info;
  const jobs: { s: number; t: number; c: number; z: number; x0: number; x1: number; y0: number; y1: number }[] = [];
  for (let s = 0; s < S; s++)
    for (let t = 0; t < T; t++)
      for (let c = 0; c < C; c++)
        for (let z = 0; z < Z; z++)
          for (const [y0, y1] of cuts(H, Math.max(1, H >> 1), rand))
            for (const [x0, x1] of cuts(W, Math.max(1, W >> 1), rand)) jobs.push({ s, t, c, z, x0, x1, y0, y1 });
  for (let i = jobs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [jobs[i], jobs[j]] = [jobs[j]!, jobs[i]!];
  }
  await sink.begin(info);
  for (const { s, t, c, z, x0, x1, y0, y1 } of jobs) {
    const w = x1 - x0;
    const d = allocSamples(info.sampleType, (y1 - y0) * w * K);
    for (let y = y0; y < y1; y++)
      for (let x = x0; x < x1; x++) for (let k = 0; k < K; k++) d[((y - y0) * w + x - x0) * K + k] = f(s, t, c, z, y, x, k);
    await sink.writeTile({ scene: s, t, c, z }, { x: x0, y: y0, width: w, height: y1 - y0 }, d);
  }
  await sink.finish();
  return canonicalOutput(info, f);
}

/** What an independent reader must see: per scene, the samples in (T, C·K, Z, Y, X) order. */
export function canonicalOutput(info: OutputImageInfo, f: SampleAt): SampleArray[] {
  const { t: T, c: C, z: Z, scene: S } = info.sizes;
  const K = info.samplesPerPixel;
  const { width: W, height: H } = info;
  const canonical: SampleArray[] = [];
  for (let s = 0; s < S; s++) {
    const a = allocSamples(info.sampleType, T * C * K * Z * H * W);
    for (let t = 0; t < T; t++)
      for (let c = 0; c < C; c++)
        for (let k = 0; k < K; k++)
          for (let z = 0; z < Z; z++)
            for (let y = 0; y < H; y++)
              for (let x = 0; x < W; x++) a[((((t * C + c) * K + k) * Z + z) * H + y) * W + x] = f(s, t, c, z, y, x, k);
    canonical.push(a);
  }
  return canonical;
}
