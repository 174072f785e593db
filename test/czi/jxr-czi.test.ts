/**
 * CZIs whose subblocks are JPEG-XR (compression 4), built by `synthetic-czi.ts` from the
 * JxrEncApp fixtures (test/fixtures/jxr): every pixel type, lossless and lossy. Each is read
 * next to a twin CZI that stores the same pixels uncompressed (JxrDecApp's pixels: the decode
 * is first checked against the SHA-256 that make.py recorded from JxrDecApp); the planes must be
 * equal. The mosaic overlaps tiles (M order) and has one tile whose directory entry says a
 * different size than the stream holds: it is cropped and zero-padded, top-left fixed
 * (libCZI's resolution protocol). Also: one-line errors naming the subblock.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeJxr } from "../../src/io/czi/jxr.js";
import type { PlaneIndex } from "../../src/io/types.js";
import { rejectionOf } from "../helpers/errors.js";
import { fixture } from "../helpers/paths.js";
import { openBytes } from "./czi-helpers.js";
import { buildCzi, type SynthTile } from "./synthetic-czi.js";

interface JxrCase {
  name: string;
  pixelType: 0 | 1 | 2 | 3 | 4;
  width: number;
  height: number;
  sha256: string;
}

const P0: PlaneIndex = { scene: 0, t: 0, c: 0, z: 0 };
const CASES: JxrCase[] = JSON.parse(readFileSync(fixture("jxr", "cases.json"), "utf8"));
const BPP = [1, 2, 4, 3, 6];
const jxrBytes = (name: string) => new Uint8Array(readFileSync(fixture("jxr", `${name}.jxr`)));

/** Crop / zero-pad rows of `w × h` pixels to `sw × sh` (the test's own implementation). */
function fitRows(bytes: Uint8Array, w: number, h: number, sw: number, sh: number, bpp: number): Uint8Array {
  const out = new Uint8Array(sw * sh * bpp);
  for (let y = 0; y < Math.min(h, sh); y++) {
    for (let x = 0; x < Math.min(w, sw) * bpp; x++) out[y * sw * bpp + x] = bytes[y * w * bpp + x]!;
  }
  return out;
}

/** Three tiles: A at the origin, B overlapping A on top (higher M), C below with a stored size that differs from the stream's. */
function mosaic(c: JxrCase, data: (storedW: number, storedH: number) => Uint8Array, compression: number): SynthTile[] {
  const { width: w, height: h, pixelType } = c;
  const cw = w - 3;
  const ch = h + 4;
  return [
    { x: 0, y: 0, width: w, height: h, dims: { C: 0, M: 0 }, pixelType, compression, data: data(w, h) },
    { x: w - 5, y: 3, width: w, height: h, dims: { C: 0, M: 1 }, pixelType, compression, data: data(w, h) },
    { x: 0, y: h + 2, width: cw, height: ch, dims: { C: 0, M: 2 }, pixelType, compression, data: data(cw, ch) },
  ];
}

describe("CZI with JPEG-XR subblocks", () => {
  it.each(CASES)("$name: the plane equals the same pixels stored uncompressed", async (c) => {
    const jxr = jxrBytes(c.name);
    const decoded = await decodeJxr(jxr);
    expect(createHash("sha256").update(decoded.bytes).digest("hex")).toBe(c.sha256); // = JxrDecApp's pixels
    const bpp = BPP[c.pixelType]!;
    const compressed = await openBytes(buildCzi(mosaic(c, () => jxr, 4)), "jxr.czi");
    const raw = await openBytes(buildCzi(mosaic(c, (sw, sh) => fitRows(decoded.bytes, c.width, c.height, sw, sh, bpp), 0)), "raw.czi");
    expect(compressed.info.details?.compression).toEqual(["JPEG-XR"]);
    expect(compressed.warnings.join("\n")).not.toMatch(/cannot be decoded/);
    expect(compressed.info.width).toBe(2 * c.width - 5);
    expect(compressed.info.height).toBe(2 * c.height + 6);
    const rect = { x: 0, y: 0, width: compressed.info.width, height: compressed.info.height };
    const a = await compressed.readRegion(P0, rect);
    const b = await raw.readRegion(P0, rect);
    expect(a.constructor).toBe(b.constructor);
    expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(true);

    // Spot checks against the decoded stream itself: A's top-left, C's padding rows are 0.
    const spp = compressed.info.samplesPerPixel;
    const sampleBytes = bpp / spp;
    const px = (arr: typeof a, x: number, y: number) =>
      Array.from(arr.subarray((y * rect.width + x) * spp, (y * rect.width + x + 1) * spp));
    const view = new DataView(decoded.bytes.buffer, decoded.bytes.byteOffset);
    const decodedPx = (x: number, y: number) =>
      Array.from({ length: spp }, (_, s) => {
        const at = (y * c.width + x) * bpp + s * sampleBytes;
        return sampleBytes === 1 ? view.getUint8(at) : sampleBytes === 2 ? view.getUint16(at, true) : view.getFloat32(at, true);
      });
    expect(px(a, 1, 1)).toEqual(decodedPx(1, 1));
    expect(px(a, c.width - 4, 2 * c.height + 2 + 1)).toEqual(Array(spp).fill(0)); // C's padded rows
    expect(px(a, 2, c.height + 2 + 5)).toEqual(decodedPx(2, 5)); // C's top-left kept
    const whole = await compressed.readSubblock(2);
    expect([whole.width, whole.height]).toEqual([c.width - 3, c.height + 4]);
  });

  it("a JPEG-XR pyramid subblock (stored at half its logical size) reads at its level", async () => {
    const c = CASES.find((x) => x.name === "gray16-97x67-q60")!;
    const jxr = jxrBytes(c.name);
    const decoded = await decodeJxr(jxr);
    const [w, h] = [c.width, c.height];
    const czi = buildCzi([
      { x: 0, y: 0, width: 2 * w, height: 2 * h, dims: { C: 0, M: 0 }, pixelType: 1, data: new Uint8Array(4 * w * h * 2) },
      { x: 0, y: 0, width: 2 * w, height: 2 * h, storedWidth: w, storedHeight: h, dims: { C: 0 }, pixelType: 1, compression: 4, data: jxr },
    ]);
    const img = await openBytes(czi, "pyramid.czi");
    expect(img.levels.map((l) => l.downsample)).toEqual([1, 2]);
    const level1 = await img.readLevel(P0, { x: 0, y: 0, width: w, height: h }, 1);
    expect(Buffer.from(level1.buffer, level1.byteOffset, level1.byteLength).equals(Buffer.from(decoded.bytes))).toBe(true);
  });

  it("a stream whose pixel type differs from the entry's is refused in one line naming the subblock", async () => {
    const c = CASES.find((x) => x.pixelType === 1)!;
    const czi = buildCzi([
      { x: 0, y: 0, width: c.width, height: c.height, dims: { C: 0 }, pixelType: 0, compression: 4, data: jxrBytes(c.name) },
    ]);
    const e = await rejectionOf((await openBytes(czi, "mixed.czi")).readSubblock(0));
    expect(e.code).toBe("INVALID_IMAGE");
    expect(e.message).toMatch(/^mixed\.czi: subblock #0 \(offset 544\): JPEG-XR data holds Gray16 pixels but the subblock says Gray8$/);
  });

  it("a pixel type JPEG-XR subblocks do not carry is refused", async () => {
    const czi = buildCzi([
      { x: 0, y: 0, width: 4, height: 4, dims: { C: 0 }, pixelType: 8, compression: 4, data: jxrBytes(CASES[0]!.name) },
    ]);
    const e = await rejectionOf((await openBytes(czi, "f.czi")).readSubblock(0));
    expect(e.code).toBe("UNSUPPORTED");
    expect(e.message).toMatch(/subblock #0 .*JPEG-XR subblocks of pixel type Bgr96Float are not supported/);
  });

  it("a stream larger than the subblock limit is refused before decoding", async () => {
    const c = CASES.find((x) => x.name.startsWith("gray8") && x.name.endsWith("q30"))!; // 5 kB stream, 257×131 pixels
    const czi = buildCzi([{ x: 0, y: 0, width: 4, height: 4, dims: { C: 0 }, pixelType: 0, compression: 4, data: jxrBytes(c.name) }]);
    const e = await rejectionOf((await openBytes(czi, "big.czi", { maxSubblockBytes: 10_000 })).readSubblock(0));
    expect(e.message).toMatch(/^big\.czi: subblock #0 .*JPEG-XR data cannot be decoded: jxrlib: the image is larger than the limit/);
  });

  it("truncated and damaged streams give one-line errors", async () => {
    const good = jxrBytes(CASES[0]!.name);
    const damaged = good.slice();
    for (let i = 200; i < damaged.length; i += 31) damaged[i] = damaged[i]! ^ 0xff;
    let refused = 0;
    for (const data of [good.subarray(0, 30), new Uint8Array(64), good.subarray(0, good.length >> 2), damaged]) {
      const czi = buildCzi([{ x: 0, y: 0, width: 257, height: 131, dims: { C: 0 }, pixelType: 0, compression: 4, data }]);
      const img = await openBytes(czi, "bad.czi");
      const outcome = await img.readRegion(P0, { x: 0, y: 0, width: 257, height: 131 }).then(
        () => undefined,
        (e: Error) => e,
      );
      // jxrlib decodes some damage into wrong pixels without noticing; what it notices must be one line.
      if (outcome) {
        refused++;
        expect(outcome.message).toMatch(/^bad\.czi: subblock #0 \(offset 544\): JPEG-XR data cannot be decoded: jxrlib: [^\n]+$/);
      }
    }
    expect(refused).toBeGreaterThanOrEqual(2); // at least the 30-byte stub and the zeros
  });
});
