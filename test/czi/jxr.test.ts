/**
 * JPEG XR: our WebAssembly build of jxrlib against Debian's JxrDecApp. The fixtures
 * (test/fixtures/jxr/make.py) are tiles of every CZI pixel type JPEG XR carries, lossless and
 * at three lossy qualities, odd sizes; cases.json holds the SHA-256 of JxrDecApp's decoded
 * pixels in CZI layout, so equal hashes mean bit-identical pixels.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeJxr } from "../../src/io/czi/jxr.js";
import { JXR_WASM_BASE64, JXR_WASM_SHA256 } from "../../src/io/czi/jxr-wasm.js";
import { fixture, repoRoot } from "../helpers/paths.js";

interface JxrCase {
  name: string;
  pixelType: 0 | 1 | 2 | 3 | 4;
  width: number;
  height: number;
  quality: number;
  sha256: string;
}

const DIR = fixture("jxr");
const CASES: JxrCase[] = JSON.parse(readFileSync(join(DIR, "cases.json"), "utf8"));
const BYTES_PER_PIXEL = [1, 2, 4, 3, 6];

function jxrFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(DIR, `${name}.jxr`)));
}

describe("JPEG XR decoder (jxrlib → WebAssembly)", () => {
  it("covers 5 pixel types (Bgr24 also as a 24bppRGB stream) × lossless and 3 lossy qualities", () => {
    expect(new Set(CASES.map((c) => c.pixelType))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(CASES).toHaveLength(24);
  });

  it.each(CASES)("$name decodes bit-identically to JxrDecApp", async (c) => {
    const image = await decodeJxr(jxrFixture(c.name));
    expect({ width: image.width, height: image.height, pixelType: image.pixelType }).toEqual({
      width: c.width,
      height: c.height,
      pixelType: c.pixelType,
    });
    expect(image.bytes.length).toBe(c.width * c.height * BYTES_PER_PIXEL[c.pixelType]!);
    expect(createHash("sha256").update(image.bytes).digest("hex")).toBe(c.sha256);
  });

  it("concurrent decodes (one module instance) each give their own pixels", async () => {
    const images = await Promise.all(CASES.map((c) => decodeJxr(jxrFixture(c.name))));
    expect(images.map((im) => createHash("sha256").update(im.bytes).digest("hex"))).toEqual(CASES.map((c) => c.sha256));
  });

  it("the embedded module is the committed .wasm", () => {
    const wasm = readFileSync(join(repoRoot, "native", "jxr", "jxr-decoder.wasm"));
    expect(Buffer.from(JXR_WASM_BASE64, "base64").equals(wasm)).toBe(true);
    expect(createHash("sha256").update(wasm).digest("hex")).toBe(JXR_WASM_SHA256);
  });

  it("bad data is a one-line error, and the decoder still works afterwards", async () => {
    await expect(decodeJxr(new Uint8Array(100))).rejects.toThrow(/^jxrlib: .*\(error -?\d+\)$/);
    const good = jxrFixture(CASES[0]!.name);
    for (const cut of [8, 40, 200, good.length >> 1]) {
      const e = await decodeJxr(good.subarray(0, cut)).then(
        () => undefined,
        (x: Error) => x,
      );
      if (e) expect(e.message).toMatch(/^jxrlib: [^\n]+$/);
    }
    const corrupt = good.slice();
    for (let i = 300; i < corrupt.length; i += 97) corrupt[i] = corrupt[i]! ^ 0x5a;
    await decodeJxr(corrupt).catch((x: Error) => expect(x.message).toMatch(/^jxrlib: [^\n]+$/));
    const again = await decodeJxr(good);
    expect(createHash("sha256").update(again.bytes).digest("hex")).toBe(CASES[0]!.sha256);
  });
});
