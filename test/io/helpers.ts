/**
 * Helpers for the image-IO tests: the expected arrays that `scripts/fixtures/io_images.py`
 * wrote next to the fixtures, reading a whole image through an `ImageSource` in the same
 * canonical order (T, C, Z, Y, X, S), and running Debian's Python (tifffile, zarr, numpy) as
 * the independent reader of our outputs.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { promisify } from "node:util";
import { fixture } from "../helpers/paths.js";
import type { ImageSource, SampleArray } from "../../src/io/types.js";
import { allocSamples } from "../../src/io/types.js";

const run = promisify(execFile);

export interface ExpectedScene {
  shape: [number, number, number, number, number, number];
  data: SampleArray;
}

export interface Expected {
  dtype: string;
  scenes: ExpectedScene[];
  physicalSize?: { x?: number; y?: number; z?: number };
  channelNames?: string[];
  sceneNames?: string[];
  dimensionOrder?: string;
  /** Largest allowed difference per sample (lossy JPEG: decoders round the IDCT differently). */
  tolerance?: number;
}

const manifest = JSON.parse(readFileSync(fixture("io", "expected.json"), "utf8")) as Record<
  string,
  Omit<Expected, "scenes"> & { scenes: { raw: string; shape: ExpectedScene["shape"] }[] }
>;

export const expectedNames = Object.keys(manifest).sort();

export function expected(name: string): Expected {
  const m = manifest[name];
  if (!m) throw new Error(`no expected values for ${name}`);
  return {
    ...m,
    scenes: m.scenes.map((s) => {
      const raw = readFileSync(fixture("io", "expected", s.raw));
      const copy = new Uint8Array(raw); // aligned copy
      const n = s.shape.reduce((a, b) => a * b, 1);
      const data = allocSamples(m.dtype as never, n);
      new Uint8Array(data.buffer).set(copy);
      return { shape: s.shape, data };
    }),
  };
}

/** Every plane of one scene, in canonical order T, C, Z, Y, X, S. */
export async function readScene(source: ImageSource, scene: number): Promise<SampleArray> {
  const { t: T, c: C, z: Z } = source.info.sizes;
  const { width, height } = source.info.scenes[scene]!;
  const spp = source.info.samplesPerPixel;
  const planeLength = width * height * spp;
  const out = allocSamples(source.info.sampleType, T * C * Z * planeLength);
  for (let t = 0; t < T; t++)
    for (let c = 0; c < C; c++)
      for (let z = 0; z < Z; z++) {
        const plane = await source.readRegion({ scene, t, c, z }, { x: 0, y: 0, width, height });
        out.set(plane, ((t * C + c) * Z + z) * planeLength);
      }
  return out;
}

/** Index of the first difference larger than `tolerance` (default 0: exact), or -1. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>, tolerance = 0): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i]))) continue;
    if (Math.abs(a[i]! - b[i]!) > tolerance) return i;
  }
  return -1;
}

/** Run `/usr/bin/python3 -c code args…` and parse the JSON it prints. */
export async function python<T = unknown>(code: string, ...args: string[]): Promise<T> {
  const { stdout } = await run("/usr/bin/python3", ["-c", code, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as T;
}

/** Names in a folder that look like our temp outputs (`.<name>.<hex>.partial`). */
export async function partialFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith(".partial") || f.includes(".partial"));
}

/** SHA-256 of a typed array's bytes, hex (Python computes the same of `array.tobytes()`). */
export async function sha256(a: SampleArray): Promise<string> {
  const { createHash } = await import("node:crypto");
  return createHash("sha256")
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest("hex");
}
