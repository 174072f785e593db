/**
 * The WebAssembly SIMD kernels (src/engine/simd.ts) must give exactly what the JS loops give:
 * scaling checked over every uint8 / uint16 value and on the real nuclei image, the two-class
 * argmax on ties, NaN, negatives and strided rows, and `fillTile` / `convertBox` with and
 * without kernels byte for byte. A range where float32 scaling could differ is refused and
 * the JS formula is used instead.
 */
import { describe, expect, it } from "vitest";
import { convertBox } from "../../src/engine/outputs.js";
import { fillTile, planChannels, planScaling, type TileSamples } from "../../src/engine/pixels.js";
import { assemble, simdKernels } from "../../src/engine/simd.js";
import { testdata } from "../helpers/paths.js";
import { readPng } from "./helpers.js";

const kernels = () => {
  const k = simdKernels();
  if (!k) throw new Error("WebAssembly SIMD is not available in this Node");
  return k;
};

describe("SIMD kernels", () => {
  it("assemble into a valid module", () => {
    expect(WebAssembly.validate(assemble())).toBe(true);
    expect(simdKernels()).not.toBeNull();
  });

  it("scale every uint16 and uint8 value exactly as (v - min) / span in float64", () => {
    const k = kernels();
    for (const [u16, min, max] of [
      [true, 0, 65535],
      [true, 0, 4095],
      [true, 100, 4000],
      [false, 0, 255],
      [false, 10, 200],
    ] as const) {
      const n = u16 ? 65536 : 256;
      const samples = u16 ? new Uint16Array(n) : new Uint8Array(n);
      for (let i = 0; i < n; i++) samples[i] = i;
      const out = new Float32Array(n);
      expect(k.scale(samples, 0, n, 1, n, out, min, max - min)).toBe(true);
      for (let i = 0; i < n; i++)
        if (out[i] !== Math.fround((i - min) / (max - min))) throw new Error(`${min}..${max}: value ${i} gives ${out[i]}`);
    }
  });

  it("refuse a range where float32 scaling would differ, so callers keep the JS formula", () => {
    const k = kernels();
    expect(k.canScale(true, 0.5, 1000.3)).toBe(false);
    expect(k.scale(new Uint16Array([1, 2, 3]), 0, 3, 1, 3, new Float32Array(3), 0.5, 1000.3)).toBe(false);
  });

  it("scale strided rows and leave everything outside the rows untouched", () => {
    const k = kernels();
    const stride = 37;
    const rows = 5;
    const n = 19;
    const samples = new Uint16Array(stride * rows + 3).map((_, i) => (i * 7919) % 65536);
    const out = new Float32Array(rows * n + 2).fill(-1);
    expect(k.scale(samples, 3, stride, rows, n, out.subarray(1, 1 + rows * n), 0, 65535)).toBe(true);
    expect(out[0]).toBe(-1);
    expect(out[rows * n + 1]).toBe(-1);
    for (let r = 0; r < rows; r++)
      for (let i = 0; i < n; i++) expect(out[1 + r * n + i]).toBe(Math.fround(samples[3 + r * stride + i]! / 65535));
  });

  it("argmax of two classes: ties and NaN to the first class, strided rows, uint8 and uint16 labels", () => {
    const k = kernels();
    const rows = 4;
    const n = 23;
    const stride = 2 * n + 6;
    const values = [0.25, 0.75, -1, 0, NaN, 0.5, 1e-30, -1e-30];
    const src = new Float32Array(rows * stride + 8).map((_, i) => values[(i * 5 + (i >> 3)) % values.length]!);
    for (const [dst, v0, v1] of [
      [new Uint8Array(rows * 30 + 2), 1, 200],
      [new Uint16Array(rows * 30 + 2), 300, 65535],
    ] as const) {
      dst.fill(7);
      k.argmax2(src, 4, stride, dst, 1, 30, rows, n, v0, v1);
      expect(dst[0]).toBe(7);
      for (let r = 0; r < rows; r++) {
        for (let x = 0; x < 30; x++) {
          const got = dst[1 + r * 30 + x];
          if (x >= n) {
            if (1 + r * 30 + x < dst.length) expect(got).toBe(7);
            continue;
          }
          const sp = 4 + r * stride + 2 * x;
          expect(got).toBe(src[sp + 1]! > src[sp]! ? v1 : v0);
        }
      }
    }
  });

  it("fillTile with kernels equals fillTile without on the real nuclei image", async () => {
    const png = await readPng(testdata("images", "nuclei_0000.png"));
    expect(png.data).toBeInstanceOf(Uint16Array);
    const mapping = planChannels({ samplesPerPixel: 1, sampleOrder: "gray", cPlanes: 1, modelChannels: 1, modelOrder: "bgr" });
    const scaling = planScaling({ sampleType: "uint16", modelScales: true });
    // A 300×200 window at (50, 40) read out of the whole plane, and a tile of its inner 256×128.
    const range = (n: number, from: number) => Int32Array.from({ length: n }, (_, i) => from + i);
    const src: TileSamples = {
      windows: [[png.data]],
      readWidth: png.width,
      samplesPerPixel: 1,
      zMap: new Int32Array([0]),
      rowMap: range(128, 40),
      colMap: range(256, 50),
    };
    const a = new Float32Array(128 * 256 + 10);
    const b = new Float32Array(128 * 256 + 10);
    fillTile(a, 5, src, mapping, scaling);
    fillTile(b, 5, src, mapping, scaling, kernels());
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    // A reflected row map (image smaller than the tile) takes the JS path and still agrees.
    src.rowMap = Int32Array.from([41, 40, 41, 42]);
    fillTile(a.fill(0), 0, src, mapping, scaling);
    fillTile(b.fill(0), 0, src, mapping, scaling, kernels());
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  });

  it("convertBox labels with kernels equals convertBox without", () => {
    const prob = new Float32Array(64 * 64 * 2).map((_, i) => ((i * 7919) % 13) / 13);
    for (const dst of [new Uint8Array(50 * 100), new Uint16Array(50 * 100)]) {
      const spec = {
        kind: "labels" as const,
        channels: 2,
        labelValues: [3, dst instanceof Uint8Array ? 9 : 1000],
        minConfidence: -Infinity,
      };
      const box = { data: prob, offset: 4 * 64 + 4, strideZ: 64 * 64, strideY: 64 };
      const js = dst.slice();
      convertBox(spec, box, { data: js, offset: 7, strideZ: 0, strideY: 100 }, 1, 50, 56);
      convertBox(spec, box, { data: dst, offset: 7, strideZ: 0, strideY: 100 }, 1, 50, 56, kernels());
      expect(Array.from(dst)).toEqual(Array.from(js));
      expect(new Set(js)).toEqual(new Set([0, 3, spec.labelValues[1]]));
    }
  });
});
