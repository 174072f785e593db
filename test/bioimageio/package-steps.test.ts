/**
 * `predict PACKAGE` processing semantics, checked through identity-network packages (the
 * output is what the steps make of the image) against numpy
 * (scripts/fixtures/bioimageio_steps_reference.py): a statistics step after scale_linear, a
 * percentile clip after zero_mean_unit_variance (statistics of statistics-normalised values),
 * joint statistics over three colour channels, and a float32 image (the two-pass percentile
 * path). The percentiles used must equal numpy's exactly, the output must match to 1e-6.
 * Then memory: peak RSS of the CLI (child process) on a 2048×2048 and a 2048×24576 image,
 * 12× the area at the same width, must not grow by the size of the image.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { makeBigTiffFromImage } from "../../src/io/tiff/node/make-big-tiff.js";
import { czmodel, parseJson, scratchDir } from "../cli/helpers.js";
import { repoRoot, testdata } from "../helpers/paths.js";
import { identityPackage } from "./identity-package.js";

const run = promisify(execFile);
const PY = "/usr/bin/python3";
const REFERENCE = join(repoRoot, "scripts", "fixtures", "bioimageio_steps_reference.py");

interface Result {
  package: { preprocessing: string[]; statisticsMethod: string; samples: { statistics: { values: Record<string, number[]> }[] }[] };
  outputs: { channelNames: string[]; samplesPerPixel: number }[];
}

const CASES = [
  {
    name: "a",
    what: "scale_linear, then scale_range p1/p99.8 of the scaled values, then clip (uint16, histogram)",
    channels: 1,
    pre: [
      "{id: ensure_dtype, kwargs: {dtype: float32}}",
      "{id: scale_linear, kwargs: {gain: 0.5, offset: 10}}",
      "{id: scale_range, kwargs: {axes: [x, y], min_percentile: 1, max_percentile: 99.8}}",
      "{id: clip, kwargs: {min: 0, max: 1}}",
    ],
    method: /histogram/,
  },
  {
    name: "b",
    what: "joint zero_mean_unit_variance of RGB, then a joint percentile clip of the normalised values (uint16, histogram)",
    channels: 3,
    pre: [
      "{id: zero_mean_unit_variance, kwargs: {axes: [channel, y, x]}}",
      "{id: clip, kwargs: {axes: [channel, y, x], min_percentile: 0.5, max_percentile: 99.5}}",
    ],
    method: /histogram/,
  },
  {
    name: "c",
    what: "zero_mean_unit_variance, then scale_range p5/p95 of the normalised values (float32, two passes)",
    channels: 1,
    pre: [
      "{id: zero_mean_unit_variance, kwargs: {axes: [x, y]}}",
      "{id: scale_range, kwargs: {axes: [x, y], min_percentile: 5, max_percentile: 95}}",
    ],
    method: /float32 bit patterns/,
  },
] as const;

describe("predict PACKAGE: processing steps vs numpy (identity network)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratchDir();
    await run(PY, [REFERENCE, "make", dir]);
  });

  it.each(CASES.map((c) => [c.what, c] as const))("%s", async (_what, c) => {
    const pkg = await identityPackage(join(dir, `pkg-${c.name}`), { channels: c.channels, pre: [...c.pre] });
    const out = join(dir, `${c.name}.ome.tif`);
    const r = await czmodel("predict", pkg, join(dir, `${c.name}.tif`), "-o", out, "--json");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const j = parseJson<Result>(r);
    expect(j.package.statisticsMethod).toMatch(c.method);
    expect(j.outputs[0]!.channelNames).toEqual(Array.from({ length: c.channels }, (_, i) => `out${i}`));
    const { stdout } = await run(PY, [REFERENCE, "check", c.name, join(dir, `${c.name}.tif`), out]);
    const ref = JSON.parse(stdout) as { maxdiff: number; stats: Record<string, number[]> };
    expect(ref.maxdiff).toBeLessThanOrEqual(1e-6);
    const used: Record<string, number[]> = Object.assign({}, ...j.package.samples[0]!.statistics.map((s) => s.values));
    for (const [key, want] of Object.entries(ref.stats)) {
      if (key === "mean" || key === "std") {
        for (const [i, v] of used[key]!.entries()) expect(Math.abs(v - want[i]!) / Math.abs(want[i]!)).toBeLessThan(1e-12);
      } else expect(used[key], key).toEqual(want);
    }
  });
});

describe("predict PACKAGE: memory does not grow with the image", () => {
  it("peak RSS of 2048×24576 stays within 64 MB of 2048×2048 (the larger input alone is 96 MB as uint16)", async () => {
    const dir = await scratchDir();
    const pkg = await identityPackage(join(dir, "pkg"), {
      channels: 1,
      pre: [
        "{id: zero_mean_unit_variance, kwargs: {axes: [x, y]}}",
        "{id: scale_range, kwargs: {axes: [x, y], min_percentile: 1, max_percentile: 99}}",
      ],
    });
    const peak = async (height: number): Promise<number> => {
      const image = join(dir, `in_${height}.ome.tif`);
      await makeBigTiffFromImage(testdata("images", "nuclei_0000.png"), image, { width: 2048, height, compress: false });
      const { stderr } = await run(
        process.execPath,
        [
          "--import",
          "./bench/peak-rss.mjs",
          "bin/czmodel.js",
          "predict",
          pkg,
          image,
          "-o",
          join(dir, `out_${height}.ome.tif`),
          "--tile",
          "1024,1024",
        ],
        { cwd: repoRoot },
      );
      return Number(/peak-rss-kb (\d+)/.exec(stderr)![1]) / 1024;
    };
    const small = await peak(2048);
    const large = await peak(24576);
    expect(large - small, `${small.toFixed(0)} MB → ${large.toFixed(0)} MB`).toBeLessThan(64);
  }, 240_000);
});
