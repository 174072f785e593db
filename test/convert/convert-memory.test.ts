/**
 * `image-convert` streams with bounded memory (issue 14): the peak RSS of a real CLI process
 * (preload bench/peak-rss.mjs) converting a 12288 × 6144 uint16 tiled BigTIFF (144 MiB of
 * pixels, written by tifffile) is within 64 MiB of converting a 1024² one, and under 1 GB; were
 * the image held whole, the difference would be at least its 144 MiB. The output's pixels equal
 * the input's (tifffile reads both). The 32768² figures are a benchmark (`npm run bench:convert`,
 * README), too slow for a test on this machine.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { scratchDir } from "../cli/helpers.js";
import { repoRoot } from "../helpers/paths.js";
import { python } from "../io/helpers.js";

const run = promisify(execFile);

const MAKE = `
import sys, numpy, tifffile
w, h = int(sys.argv[2]), int(sys.argv[3])
a = ((numpy.arange(h, dtype=numpy.uint32)[:, None] * 7919 + numpy.arange(w, dtype=numpy.uint32)[None, :] * 31) % 65521).astype(numpy.uint16)
tifffile.imwrite(sys.argv[1], a, tile=(512, 512), bigtiff=True)
print("{}")
`;

const SAME = `
import sys, json, numpy, tifffile
a, b = tifffile.imread(sys.argv[1]), tifffile.imread(sys.argv[2])
print(json.dumps(a.shape == b.shape and bool(numpy.array_equal(a, b))))
`;

/** Peak RSS (MiB) of `czmodel image-convert IN OUT ARGS…` in its own process. */
async function convertRss(input: string, output: string): Promise<number> {
  const { stderr } = await run(
    process.execPath,
    [
      "--import",
      "./bench/peak-rss.mjs",
      "bin/czmodel.js",
      "image-convert",
      input,
      output,
      "--no-pyramid",
      "--compression",
      "none",
      "--quiet",
    ],
    { cwd: repoRoot, maxBuffer: 16 << 20 },
  );
  return Number(/peak-rss-kb (\d+)/.exec(stderr)![1]) / 1024;
}

describe("image-convert memory", () => {
  it("peak RSS does not grow with the image (1024² vs 12288 × 6144 uint16)", { timeout: 180_000 }, async () => {
    const dir = await scratchDir("convert-memory-");
    const small = join(dir, "small.tif");
    const big = join(dir, "big.tif");
    await python(MAKE, small, "1024", "1024");
    await python(MAKE, big, "12288", "6144");
    const smallRss = await convertRss(small, join(dir, "small.ome.tif"));
    const bigRss = await convertRss(big, join(dir, "big.ome.tif"));
    expect(await python<boolean>(SAME, big, join(dir, "big.ome.tif"))).toBe(true);
    expect(bigRss, `peak RSS ${smallRss.toFixed(0)} MiB (1024²) vs ${bigRss.toFixed(0)} MiB (12288 × 6144)`).toBeLessThan(smallRss + 64);
    expect(bigRss).toBeLessThan(1000);
  });
});
