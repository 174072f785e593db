/**
 * The streaming statistics of `predict PACKAGE` against numpy: percentiles equal
 * `np.percentile(v, q)` bit for bit (8/16-bit through the histograms, float32 through the
 * two-pass key refinement), mean and population std within float64 rounding, for joint and
 * per-channel scopes, 1- and 2-value samples, and values after a preceding scale_linear in
 * float32. Fixtures: scripts/fixtures/bioimageio_statistics.py (numpy 1.24). Regions of 64²
 * pixels, so every image is read in many pieces.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { scaleLinearFns } from "../../src/bioimageio/elementwise.js";
import { readNpy } from "../../src/bioimageio/npy.js";
import { SampleStatistician } from "../../src/bioimageio/sample-pass.js";
import { numpyLerp, percentileRanks } from "../../src/bioimageio/statistics.js";
import { planChannels } from "../../src/engine/pixels.js";
import { MemoryImageSource } from "../../src/io/memory/index.js";
import type { SampleArray } from "../../src/io/types.js";
import { fixture } from "../helpers/paths.js";

interface Group {
  percentiles: Record<string, number>;
  mean: number;
  std: number;
  count: number;
}
interface Case {
  name: string;
  file: string;
  scope: "joint" | "per-channel";
  transform: { gain: number; offset: number } | null;
  groups: Group[];
}

const dir = (...p: string[]) => fixture("bioimageio", "statistics", ...p);
const expected = JSON.parse(readFileSync(dir("expected.json"), "utf8")) as { percentiles: number[]; cases: Case[] };

function sourceOf(file: string): { source: MemoryImageSource; channels: number } {
  const a = readNpy(new Uint8Array(readFileSync(dir(file))), file);
  const [height, width, channels = 1] = a.shape as [number, number, number?];
  const source = new MemoryImageSource({ width, height, planes: [a.data as SampleArray], samplesPerPixel: channels });
  return { source, channels };
}

const relClose = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-300);

describe("whole-sample statistics vs numpy", () => {
  it.each(
    expected.cases.map(
      (c) => [`${c.name} ${c.scope}${c.transform ? ` after scale_linear ${c.transform.gain}/${c.transform.offset}` : ""}`, c] as const,
    ),
  )("%s", async (_label, c) => {
    const { source, channels } = sourceOf(c.file);
    const mapping = planChannels({
      samplesPerPixel: channels,
      sampleOrder: source.info.sampleOrder,
      cPlanes: 1,
      modelChannels: channels,
      modelOrder: "rgb",
    });
    const st = new SampleStatistician(
      { source, planes: [{ scene: 0, t: 0, c: 0, z: 0 }], width: source.info.width, height: source.info.height, mapping },
      { region: 64 },
    );
    const fns = c.transform ? scaleLinearFns(Array(channels).fill(c.transform.gain), Array(channels).fill(c.transform.offset)) : null;
    const groups = await st.statistics(c.scope, fns, { moments: true, percentiles: expected.percentiles });
    expect(st.method).toBe(source.info.sampleType === "float32" ? "float32" : "histogram");
    expect(groups).toHaveLength(c.groups.length);
    groups.forEach((g, i) => {
      const want = c.groups[i]!;
      expect(g.count).toBe(want.count);
      // keys as Python's repr(float(q))
      const got = Object.fromEntries(
        expected.percentiles.map((q) => [Number.isInteger(q) ? q.toFixed(1) : String(q), g.percentiles.get(q)]),
      );
      expect(got).toEqual(want.percentiles);
      expect(relClose(g.mean, want.mean, 1e-13), `mean ${g.mean} vs ${want.mean}`).toBe(true);
      expect(relClose(g.std, want.std, 1e-12), `std ${g.std} vs ${want.std}`).toBe(true);
    });
  });

  it("reads a float image twice for inner percentiles, an 8/16-bit image once for everything", async () => {
    const f = sourceOf("f32_gray.npy");
    const mapping = planChannels({ samplesPerPixel: 1, sampleOrder: "gray", cPlanes: 1, modelChannels: 1, modelOrder: "rgb" });
    const plane = [{ scene: 0, t: 0, c: 0, z: 0 }];
    const fst = new SampleStatistician({ source: f.source, planes: plane, width: 311, height: 257, mapping }, { region: 100 });
    await fst.statistics("joint", null, { moments: true, percentiles: [0, 100] });
    expect(fst.passes).toBe(1);
    await fst.statistics("joint", null, { moments: false, percentiles: [1, 99.8] });
    expect(fst.passes).toBe(3);
    const u = sourceOf("u16_gray.npy");
    const ust = new SampleStatistician({ source: u.source, planes: plane, width: 263, height: 389, mapping }, { region: 100 });
    await ust.statistics("joint", null, { moments: true, percentiles: [1, 99.8] });
    await ust.statistics("joint", scaleLinearFns([2], [1]), { moments: true, percentiles: [50] });
    expect(ust.passes).toBe(1);
  });

  it("interpolates like numpy's _lerp (b − a in float32, from the upper neighbour when g >= 0.5)", () => {
    expect(percentileRanks(5, 50)).toEqual({ i: 2, j: 3, g: 0 });
    expect(percentileRanks(1, 37)).toEqual({ i: 0, j: 0, g: 0 });
    expect(percentileRanks(11, 100)).toEqual({ i: 10, j: 10, g: 0 });
    expect(numpyLerp(1, 3, 0.25)).toBe(1.5);
    expect(numpyLerp(1, 3, 0.75)).toBe(2.5);
    // 2^25 − 1 is not a float32: b − a rounds to 2^25 as numpy's float32 subtraction does
    expect(numpyLerp(1, 2 ** 25, 0.25)).toBe(1 + 2 ** 23);
  });
});
