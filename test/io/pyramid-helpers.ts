/**
 * Checks the OME-TIFF (SubIFD) and OME-Zarr pyramid tests share: numpy's reference
 * downsampling, our own reader seeing the levels and reading full resolution back exactly, and
 * the random float / RGB inputs of the multi-plane cases (written by tifffile).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decode } from "fast-png";
import { expect } from "vitest";
import { czmodel } from "../cli/helpers.js";
import { python } from "./helpers.js";

/**
 * Python (numpy) lines for a check script that has `levels` (arrays, full resolution first)
 * and `rule` ("top-left" for labels, else "mean"): sets `bad` to the first level that is not
 * numpy's 2×2 downsampling of the one above (means of the pixels inside the image, integers
 * rounded half up), or None.
 */
export const FIRST_MISMATCHING_LEVEL = `def down(a):
    if rule == "top-left":
        return a[..., ::2, ::2]
    H, W = a.shape[-2:]
    h2, w2 = (H + 1) // 2, (W + 1) // 2
    p = numpy.zeros(a.shape[:-2] + (2 * h2, 2 * w2), numpy.float64); p[..., :H, :W] = a
    n = numpy.zeros((2 * h2, 2 * w2)); n[:H, :W] = 1
    s = p[..., 0::2, 0::2] + p[..., 0::2, 1::2] + p[..., 1::2, 0::2] + p[..., 1::2, 1::2]
    m = s / (n[0::2, 0::2] + n[0::2, 1::2] + n[1::2, 0::2] + n[1::2, 1::2])
    return m.astype(numpy.float32) if a.dtype.kind == "f" else numpy.floor(m + 0.5).astype(a.dtype)
bad = None
for l in range(1, len(levels)):
    want = down(levels[l - 1])
    if want.shape != levels[l].shape or not numpy.array_equal(want, levels[l]):
        bad = l; break`;

/** `image-info` reports `levels` levels of `out`, and `image-convert` back to PNG gives `data` exactly. */
export async function expectLevelsAndExactPng(
  out: string,
  dir: string,
  size: { width: number; height: number },
  data: ArrayBufferView,
  levels = 3,
) {
  const info = await czmodel("image-info", out, "--json");
  expect(JSON.parse(info.stdout)).toMatchObject({ ...size, details: { pyramidLevels: levels } });
  const back = join(dir, "back.png");
  expect((await czmodel("image-convert", out, back)).status).toBe(0);
  const png = decode(readFileSync(back));
  expect(
    Buffer.from(png.data.buffer, png.data.byteOffset, png.data.byteLength).equals(
      Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    ),
  ).toBe(true);
}

/** A float32 Z stack (2 × 1100 × 1500, ZYX) and an RGB uint8 image (1030 × 1027) of seeded noise, by tifffile. */
export async function writeFloatStackAndRgb(dir: string): Promise<{ floats: string; rgb: string }> {
  const floats = join(dir, "f.tif");
  const rgb = join(dir, "rgb.tif");
  await python(
    `import sys, json, numpy, tifffile
r = numpy.random.default_rng(7)
tifffile.imwrite(sys.argv[1], r.normal(size=(2, 1100, 1500)).astype(numpy.float32), metadata={"axes": "ZYX"})
tifffile.imwrite(sys.argv[2], r.integers(0, 256, size=(1030, 1027, 3), dtype=numpy.uint8), photometric="rgb")
print("{}")`,
    floats,
    rgb,
  );
  return { floats, rgb };
}
